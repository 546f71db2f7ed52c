using System.Text;
using EdgeGw.Api.Completions;
using EdgeGw.Buffers;
using EdgeGw.Json;
using EdgeGw.Streaming;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Completions;

/// <summary>The text_completion chunk stream a bridged /v1/completions client reads, and its cost per event.</summary>
public sealed class TextCompletionEncoderTests
{
    private static readonly byte[] ModelJson = "\"claude-alias\""u8.ToArray();
    private const int Deltas = 1000;

    [Fact]
    public void ToolCallsAndReasoning_LeaveOnlyTextAndAStopFinish()
    {
        using var output = new PooledBufferWriter(4096);
        var encoder = new TextCompletionEncoder(ModelJson, clientWantsUsage: true, TimeProvider.System);
        encoder.Start(output, "msg_1"u8);
        encoder.Reasoning(output, 0, "hmm"u8);
        encoder.Text(output, 0, "Hi \\\"you\\\""u8);
        encoder.ToolCallStart(output, 0, 0, "call_1"u8, "f"u8);
        encoder.ToolArguments(output, 0, 0, "{}"u8);
        encoder.Finish(output, 0, FinishReason.ToolCalls);
        encoder.Done(output, new Usage { Present = true, PromptTokens = 3, CompletionTokens = 2 });

        var body = Encoding.UTF8.GetString(output.WrittenSpan);
        var chunks = Sse.Chunks(body);
        Assert.Equal(3, chunks.Count); // text, finish, usage
        Assert.Equal("Hi \"you\"", chunks[0].GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Equal("stop", chunks[1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(5, chunks[2].GetProperty("usage").GetProperty("total_tokens").GetInt32());
        Assert.All(chunks, c => Assert.Equal("claude-alias", c.GetProperty("model").GetString()));
        Assert.Single(chunks.Select(c => c.GetProperty("id").GetString()).Distinct());
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
    }

    private static long Encode(PooledBufferWriter output)
    {
        var encoder = new TextCompletionEncoder(ModelJson, clientWantsUsage: false, TimeProvider.System);
        encoder.Start(output, default);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Deltas; i++)
        {
            encoder.Text(output, 0, " token \\\"漢字\\\" 😀"u8);
            if (output.WrittenCount > 32 * 1024)
                output.Reset(); // as the relay's flush would
        }
        encoder.Finish(output, 0, FinishReason.Stop);
        encoder.Done(output, default);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void ThousandEventStream_AllocatesNothingPerEvent()
    {
        using var output = new PooledBufferWriter(64 * 1024);
        Encode(output); // warm-up: JIT

        var allocated = Encode(output);

        Assert.True(allocated == 0, $"{allocated} B over {Deltas} events");
    }
}
