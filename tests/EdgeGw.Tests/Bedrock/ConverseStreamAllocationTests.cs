using System.Buffers;
using System.Text;
using EdgeGw.Buffers;
using EdgeGw.Providers.Bedrock;
using EdgeGw.Providers.OpenAi;
using EdgeGw.Streaming;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Bedrock;

/// <summary>Framing and decoding a ConverseStream must not allocate per event: a regression fails here, not in a benchmark run.</summary>
public sealed class ConverseStreamAllocationTests
{
    private const int Events = 4000;
    private const int WarmUpEvents = 200;

    /// <summary>Text deltas with escapes and non-ASCII, reasoning now and then, a tool call's input fragment every 25th event.</summary>
    private static byte[] SyntheticStream(int events)
    {
        var frames = new List<byte[]>
        {
            AwsEventStreamFrames.Event("messageStart", """{"p":"abcdefgh","role":"assistant"}"""),
            AwsEventStreamFrames.Event("contentBlockStart", """{"contentBlockIndex":1,"start":{"toolUse":{"toolUseId":"tooluse_1","name":"lookup"}}}"""),
        };
        for (var i = 0; i < events; i++)
        {
            frames.Add((i % 25) switch
            {
                0 => AwsEventStreamFrames.Event("contentBlockDelta", "{\"contentBlockIndex\":1,\"delta\":{\"toolUse\":{\"input\":\"{\\\"q\\\":" + i + ",\"}},\"p\":\"ab\"}"),
                7 => AwsEventStreamFrames.Event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"reasoningContent\":{\"text\":\"pondering " + i + "\"}}}"),
                _ => AwsEventStreamFrames.Event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\" token " + i + " \\\"q\\\" \\\\ é 中 😀\\n\"},\"p\":\"abcdefghijklmnop\"}"),
            });
        }
        frames.Add(AwsEventStreamFrames.Event("contentBlockStop", """{"contentBlockIndex":0}"""));
        frames.Add(AwsEventStreamFrames.Event("messageStop", """{"stopReason":"tool_use"}"""));
        frames.Add(AwsEventStreamFrames.Event("metadata", """{"usage":{"inputTokens":21,"outputTokens":4000,"totalTokens":4021},"metrics":{"latencyMs":900}}"""));
        return [.. frames.SelectMany(f => f)];
    }

    [Fact]
    public void SteadyStateDecoding_AllocatesNothingPerEvent()
    {
        Decode(SyntheticStream(Events), measureAfter: int.MaxValue); // warm-up: tiered compilation promotes every path
        // The fewest bytes over three runs: a per-event allocation shows in every run, a one-off runtime allocation in one at most.
        var results = Enumerable.Range(0, 3).Select(_ => Decode(SyntheticStream(Events), WarmUpEvents)).ToList();
        var best = results.MinBy(r => r.Allocated);
        Assert.True(best.Allocated <= best.Measured / 10,
            $"allocated {best.Allocated} B over {best.Measured} events ({(double)best.Allocated / best.Measured:0.###} B/event); runs: {string.Join(", ", results.Select(r => r.Allocated))}");
    }

    private static (long Allocated, int Measured) Decode(byte[] stream, int measureAfter)
    {
        using var output = new PooledBufferWriter(64 * 1024);
        using var framer = new AwsEventStreamFramer();
        var decoder = new ConverseStreamDecoder<OpenAiChunkEncoder>(
            new OpenAiChunkEncoder("\"my-bedrock\""u8.ToArray(), clientWantsUsage: true, TimeProvider.System), "bench");
        var buffer = new ReadOnlySequence<byte>(stream);
        var seen = 0;
        long before = 0;
        var measured = 0;
        while (framer.TryRead(ref buffer, out var sseEvent))
        {
            if (seen++ == measureAfter)
                before = GC.GetAllocatedBytesForCurrentThread();
            var more = decoder.OnEvent(sseEvent, output);
            if (seen > measureAfter)
                measured++;
            output.Reset(); // as a flush would
            if (!more)
                break;
        }
        var allocated = measureAfter == int.MaxValue ? 0 : GC.GetAllocatedBytesForCurrentThread() - before;
        decoder.OnEnd(output);
        Assert.Null(decoder.Error);
        Assert.EndsWith("data: [DONE]\n\n", Encoding.UTF8.GetString(output.WrittenSpan), StringComparison.Ordinal);
        return (allocated, measured);
    }

    [Fact]
    public void SyntheticStream_DecodesTextReasoningAndToolArguments()
    {
        using var output = new PooledBufferWriter();
        using var framer = new AwsEventStreamFramer();
        var decoder = new ConverseStreamDecoder<OpenAiChunkEncoder>(
            new OpenAiChunkEncoder("\"m\""u8.ToArray(), clientWantsUsage: true, TimeProvider.System), "bench");
        var buffer = new ReadOnlySequence<byte>(SyntheticStream(60));
        while (framer.TryRead(ref buffer, out var sseEvent) && decoder.OnEvent(sseEvent, output))
        {
        }
        decoder.OnEnd(output);

        var body = Encoding.UTF8.GetString(output.WrittenSpan);
        Assert.Contains(" token 1 \"q\" \\ é 中 😀\n", Sse.Text(body), StringComparison.Ordinal);
        Assert.Equal("{\"q\":0,{\"q\":25,{\"q\":50,", Sse.ToolArguments(body));
        var chunks = Sse.Chunks(body);
        Assert.Equal("tool_calls", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(4021, chunks[^1].GetProperty("usage").GetProperty("total_tokens").GetInt32());
    }
}
