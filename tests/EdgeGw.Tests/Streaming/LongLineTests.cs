using System.Net;
using System.Text;
using EdgeGw.Streaming;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Streaming;

/// <summary>
/// An upstream line that never ends: each framer searches each byte once however the line is
/// split (linear work, counted, not timed), and a line past the event cap ends the stream with an
/// in-band error instead of growing without bound.
/// </summary>
public sealed class LongLineTests : IAsyncLifetime
{
    private const int LineBytes = 4 * 1024 * 1024;
    private const int PieceBytes = 1024;

    private FakeUpstream _upstream = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync($"""
            - model_name: long-gpt
              litellm_params:
                model: openai/gpt-x
                api_base: {_upstream.Url}/v1
                api_key: sk-upstream
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    public static TheoryData<string> Framers => ["sse", "ndjson"];

    private static IEventFramer Framer(string kind, int cap = IEventFramer.MaxEventBytes) =>
        kind == "sse" ? new SseParser(cap) : new NdjsonFramer(cap);

    /// <summary>Presents a growing unconsumed tail, one more piece each read, as the relay's pipe does.</summary>
    private static long ExaminedFeedingInPieces(IEventFramer framer, byte[] bytes)
    {
        for (var end = PieceBytes; end <= bytes.Length; end += PieceBytes)
        {
            var buffer = new ReadOnlySequence<byte>(bytes, 0, end);
            Assert.False(framer.TryRead(ref buffer, out _));
            Assert.Equal(end, buffer.Length); // the partial line stays unconsumed
        }
        return framer.ExaminedBytes;
    }

    [Theory]
    [MemberData(nameof(Framers))]
    public void UnterminatedLineInManyPieces_EachByteSearchedOnce(string kind)
    {
        var line = Encoding.ASCII.GetBytes("data: " + new string('a', LineBytes - 6));
        var half = line.AsSpan(0, LineBytes / 2).ToArray();
        using var halfFramer = Framer(kind);
        using var wholeFramer = Framer(kind);

        var examinedHalf = ExaminedFeedingInPieces(halfFramer, half);
        var examinedWhole = ExaminedFeedingInPieces(wholeFramer, line);

        Assert.Equal(half.Length, examinedHalf);
        Assert.Equal(line.Length, examinedWhole); // twice the input, twice the work: linear
    }

    [Theory]
    [MemberData(nameof(Framers))]
    public void LongLineThenItsEnd_DeliversWholeEvent(string kind)
    {
        var text = kind == "sse" ? "data: " + new string('b', 100_000) + "\n\n" : new string('b', 100_000) + "\n";
        var bytes = Encoding.ASCII.GetBytes(text);
        using var framer = Framer(kind);
        var delivered = 0;
        for (var end = PieceBytes; delivered == 0; end = Math.Min(end + PieceBytes, bytes.Length))
        {
            var buffer = new ReadOnlySequence<byte>(bytes, 0, end);
            if (framer.TryRead(ref buffer, out var e))
                delivered = e.Data.Length;
        }
        Assert.Equal(100_000, delivered);
        Assert.True(framer.ExaminedBytes <= bytes.Length);
    }

    [Theory]
    [MemberData(nameof(Framers))]
    public void LinePastCap_Throws(string kind)
    {
        var bytes = Encoding.ASCII.GetBytes("data: " + new string('c', 6000));
        using var framer = Framer(kind, cap: 4096);

        Assert.Throws<EventTooLargeException>(() => ExaminedFeedingInPieces(framer, bytes));
    }

    [Fact]
    public void ManyDataLinesPastCap_Throws()
    {
        var line = "data: " + new string('d', 1000) + "\n";
        var bytes = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(line, 10)));
        using var framer = new SseParser(maxEventBytes: 4096);
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.Throws<EventTooLargeException>(() => framer.TryRead(ref buffer, out _));
    }

    [Fact]
    public async Task UpstreamEventPastCap_StreamEndsWithErrorEvent()
    {
        var first = Encoding.UTF8.GetBytes("""data: {"id":"chatcmpl-long","object":"chat.completion.chunk","created":1763790000,"model":"gpt-x","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}""" + "\n\n");
        var chunk = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));
        _upstream.Handle(async (c, _) =>
        {
            c.Response.StatusCode = 200;
            c.Response.ContentType = "text/event-stream";
            await c.Response.Body.WriteAsync(first);
            await c.Response.Body.WriteAsync("data: "u8.ToArray());
            try
            {
                for (var sent = 0; sent <= IEventFramer.MaxEventBytes + chunk.Length; sent += chunk.Length)
                    await c.Response.Body.WriteAsync(chunk);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                // The gateway hung up on the oversized event, as it should.
            }
        });

        using var response = await _gateway.PostStreamAsync("/v1/chat/completions",
            """{"model":"long-gpt","messages":[{"role":"user","content":"hi"}],"stream":true}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal("Hi", Sse.Text(body));
        Assert.Contains("\"error\"", body, StringComparison.Ordinal);
        Assert.Contains("16 MB event cap", body, StringComparison.Ordinal);
        Assert.True(body.Length < 64 * 1024, "the oversized event must not reach the client");
    }
}
