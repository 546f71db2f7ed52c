using System.Buffers;
using System.Text;
using EdgeGw.Cache;
using EdgeGw.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Xunit.Abstractions;

namespace EdgeGw.Tests.Cache;

/// <summary>
/// A stream captured for the cache pays a copy per event into one growing pooled buffer and no
/// object per event; the fold into the unstreamed body runs once, at the end.
/// </summary>
public sealed class StreamCaptureAllocationTests(ITestOutputHelper log)
{
    private const int Events = 5000;
    private const long NoPerEventAllocation = 16 * 1024; // below one 24 B object per event (≈120 KB)

    private static byte[] Event(int i) => Encoding.UTF8.GetBytes(
        $"data: {{\"id\":\"chatcmpl-alloc\",\"object\":\"chat.completion.chunk\",\"created\":1763790000,\"model\":\"my-gpt\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"tök{i % 10} \"}},\"logprobs\":null,\"finish_reason\":null}}]}}\n\n");

    private static long Relay(byte[][] events, out ReadOnlyMemory<byte> captured, out StreamCapture capture)
    {
        var http = new DefaultHttpContext();
        http.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        capture = StreamCapture.Start(http, 64 * 1024 * 1024);
        var output = http.Response.BodyWriter;
        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var e in events)
        {
            output.Write(e);
            output.FlushAsync().GetAwaiter().GetResult();
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(capture.TryGetBytes(out captured));
        return allocated;
    }

    [Fact]
    public void CapturedRelay_AllocatesNothingPerEvent()
    {
        var events = Enumerable.Range(0, Events).Select(Event).ToArray();
        Relay(events, out _, out var warm); // warm-up: JIT, the pool's buffers at their working size
        warm.Dispose();

        var allocated = Relay(events, out var captured, out var capture);

        log.WriteLine($"capture: {allocated} B for {Events} events ({captured.Length} B captured)");
        Assert.Equal(events.Sum(e => e.Length), captured.Length);
        Assert.True(allocated < NoPerEventAllocation, $"{allocated} bytes for {Events} events");
        var body = OpenAiStreamAssembler.Assemble(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(captured.Span) + "data: [DONE]\n\n"),
            new Usage { Present = true, PromptTokens = 1, CompletionTokens = Events });
        Assert.NotNull(body);
        capture.Dispose();
    }

    [Fact]
    public void AnswerOverCaptureLimit_IsDropped()
    {
        var http = new DefaultHttpContext();
        http.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        using var capture = StreamCapture.Start(http, 1000);

        http.Response.BodyWriter.Write(new byte[600]);
        Assert.True(capture.TryGetBytes(out _));
        http.Response.BodyWriter.Write(new byte[600]);

        Assert.False(capture.TryGetBytes(out _));
    }
}
