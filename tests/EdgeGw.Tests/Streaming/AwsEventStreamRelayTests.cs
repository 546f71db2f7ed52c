using System.Text;
using EdgeGw.Api;
using EdgeGw.Json;
using EdgeGw.Streaming;
using static EdgeGw.Tests.Infrastructure.AwsEventStreamFrames;

namespace EdgeGw.Tests.Streaming;

/// <summary>The relay ends an event stream whose frame is corrupt or cut off with an error, after the events before it.</summary>
public sealed class AwsEventStreamRelayTests
{
    /// <summary>Writes each event's type as one SSE line and a failure as an <c>error</c> line: what the client would see.</summary>
    private sealed class TypeEcho : IStreamTranslator
    {
        public Usage Usage => default;
        public long GeneratedBytes => 0;
        public GatewayError? Error { get; private set; }

        public bool OnEvent(in SseEvent sseEvent, IBufferWriter<byte> output)
        {
            output.Write("data: "u8);
            output.Write(sseEvent.EventType);
            output.Write("\n\n"u8);
            return true;
        }

        public void OnEnd(IBufferWriter<byte> output) => output.Write("data: end\n\n"u8);

        public void Fail(GatewayError error, IBufferWriter<byte> output)
        {
            Error = error;
            output.Write(Encoding.UTF8.GetBytes($"data: error {error.Status} {error.Message}\n\n"));
        }
    }

    private static async Task<(EdgeGw.Providers.ProviderResult Result, string Body)> RelayAsync(byte[] upstream)
    {
        var http = new DefaultHttpContext();
        var body = new MemoryStream();
        http.Response.Body = body;
        using var timeout = new CancellationTokenSource();
        var result = await SseRelay.RelayAsync(new MemoryStream(upstream), new AwsEventStreamFramer(), new TypeEcho(), http, timeout,
            TimeSpan.FromSeconds(30), "claude-bedrock");
        await http.Response.BodyWriter.FlushAsync();
        return (result, Encoding.UTF8.GetString(body.ToArray()));
    }

    [Fact]
    public async Task WholeStream_RelaysEveryEventThenEnds()
    {
        var (result, body) = await RelayAsync([.. Event("messageStart", "{}"), .. Event("messageStop", """{"stopReason":"end_turn"}""")]);

        Assert.Null(result.Error);
        Assert.Equal("data: messageStart\n\ndata: messageStop\n\ndata: end\n\n", body);
    }

    [Fact]
    public async Task CorruptFrameMidStream_EndsWithA502NamingTheCrc()
    {
        var bad = Event("contentBlockDelta", """{"delta":{"text":"x"}}""");
        bad[^2] ^= 0x20;

        var (result, body) = await RelayAsync([.. Event("messageStart", "{}"), .. bad, .. Event("messageStop", "{}")]);

        Assert.Equal(502, result.Error?.Status);
        Assert.Equal("Upstream for deployment 'claude-bedrock' is unreachable: the event stream sent a frame whose message CRC does not match", result.Error?.Message);
        Assert.StartsWith("data: messageStart\n\n", body, StringComparison.Ordinal);
        Assert.DoesNotContain("messageStop", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamCutInsideAFrame_EndsWithA502SayingSo()
    {
        var last = Event("messageStop", """{"stopReason":"end_turn"}""");

        var (result, _) = await RelayAsync([.. Event("messageStart", "{}"), .. last.AsSpan(0, last.Length - 5)]);

        Assert.Equal(502, result.Error?.Status);
        Assert.EndsWith($"the event stream ended inside a frame ({last.Length - 5} of its {last.Length} bytes)", result.Error?.Message, StringComparison.Ordinal);
    }
}
