using System.Text;
using EdgeGw.Buffers;
using EdgeGw.Providers.Gemini;
using EdgeGw.Providers.OpenAi;
using EdgeGw.Streaming;

namespace EdgeGw.Tests.Providers.Gemini;

/// <summary>The decoder's steady state must not allocate: a regression fails here, not in a benchmark run.</summary>
public sealed class GeminiStreamAllocationTests
{
    private const int Events = 4000;
    private const int WarmUpEvents = 200;

    /// <summary>
    /// Text events with escapes and non-ASCII, a thought now and then, a function call every 25th event;
    /// <paramref name="vertex"/> adds the fields Vertex AI writes (createTime, avgLogprobs, trafficType, token details).
    /// </summary>
    internal static byte[] SyntheticStream(int events, bool vertex = false)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < events; i++)
        {
            string part = (i % 25) switch
            {
                0 => $$$"""{"functionCall":{"name":"lookup_{{{i % 3}}}","args":{"query":"item \"{{{i}}}\"\n","limit":{{{i % 10}}},"tags":["a","b"]}},"thoughtSignature":"c2lnbmF0dXJl"}""",
                7 => $$"""{"text":"pondering step {{i}}","thought":true}""",
                _ => $$"""{"text":" token {{i}} \"q\" \\ é 中 😀\n"}""",
            };
            sb.Append("data: {\"candidates\":[{\"content\":{\"parts\":[").Append(part).Append("],\"role\":\"model\"},\"index\":0")
              .Append(vertex ? ",\"avgLogprobs\":-0.0421}]," : "}],")
              .Append("\"usageMetadata\":{\"promptTokenCount\":21,\"candidatesTokenCount\":").Append(i + 1)
              .Append(",\"totalTokenCount\":").Append(i + 22)
              .Append(vertex ? ",\"trafficType\":\"ON_DEMAND\",\"promptTokensDetails\":[{\"modality\":\"TEXT\",\"tokenCount\":21}]" : "")
              .Append("},\"modelVersion\":\"gemini-2.5-flash\",")
              .Append(vertex ? "\"createTime\":\"2026-12-01T07:00:00.123456Z\"," : "")
              .Append("\"responseId\":\"synthetic-1\"}\r\n\r\n");
        }
        sb.Append("data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"end\"}],\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":21,\"candidatesTokenCount\":9,\"totalTokenCount\":30},\"responseId\":\"synthetic-1\"}\r\n\r\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // Vertex AI's events: the same decoder, more fields to skip
    public void SteadyStateDecoding_AllocatesNothingPerEvent(bool vertex)
    {
        // Warm up on a whole separate stream first, so tiered compilation has promoted every path.
        DecodeAll(SyntheticStream(Events, vertex));
        // The fewest bytes over three runs: a per-event allocation shows in every run, while a
        // one-off runtime allocation on this thread (a late JIT or OSR step while the rest of the
        // suite keeps the machine busy) shows in one at most.
        var results = Enumerable.Range(0, 3).Select(_ => MeasureSteadyState(vertex)).ToList();
        var best = results.MinBy(r => r.Allocated);
        Assert.True(best.Allocated <= best.Measured / 10,
            $"allocated {best.Allocated} B over {best.Measured} events ({(double)best.Allocated / best.Measured:0.###} B/event); runs: {string.Join(", ", results.Select(r => r.Allocated))}");
    }

    private static (long Allocated, int Measured) MeasureSteadyState(bool vertex)
    {
        var stream = SyntheticStream(Events, vertex);
        using var output = new PooledBufferWriter(64 * 1024);
        using var parser = new SseParser();
        var encoder = new OpenAiChunkEncoder("\"my-gemini\""u8.ToArray(), clientWantsUsage: true, TimeProvider.System);
        var decoder = new GeminiStreamDecoder<OpenAiChunkEncoder>(encoder, "bench");
        var buffer = new ReadOnlySequence<byte>(stream);

        var seen = 0;
        while (seen < WarmUpEvents && parser.TryRead(ref buffer, out var warm))
        {
            Assert.True(decoder.OnEvent(warm, output));
            output.Reset();
            seen++;
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var measured = 0;
        long written = 0;
        while (parser.TryRead(ref buffer, out var sseEvent))
        {
            if (!decoder.OnEvent(sseEvent, output))
                break;
            written += output.WrittenCount;
            output.Reset(); // as a flush would
            measured++;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        decoder.OnEnd(output);
        Assert.Null(decoder.Error);
        Assert.Equal(Events + 1 - WarmUpEvents, measured);
        Assert.True(written > measured * 100L, "the decoder wrote the chunks");
        Assert.EndsWith("data: [DONE]\n\n", Encoding.UTF8.GetString(output.WrittenSpan), StringComparison.Ordinal);
        return (allocated, measured);
    }

    private static void DecodeAll(byte[] stream)
    {
        using var output = new PooledBufferWriter(64 * 1024);
        using var parser = new SseParser();
        var decoder = new GeminiStreamDecoder<OpenAiChunkEncoder>(
            new OpenAiChunkEncoder("\"warm\""u8.ToArray(), clientWantsUsage: true, TimeProvider.System), "warm-up");
        var buffer = new ReadOnlySequence<byte>(stream);
        while (parser.TryRead(ref buffer, out var e) && decoder.OnEvent(e, output))
            output.Reset();
    }

    [Fact]
    public void SyntheticStream_DecodesToolCallsAndText()
    {
        var stream = SyntheticStream(60);
        using var output = new PooledBufferWriter();
        using var parser = new SseParser();
        var decoder = new GeminiStreamDecoder<OpenAiChunkEncoder>(
            new OpenAiChunkEncoder("\"m\""u8.ToArray(), clientWantsUsage: false, TimeProvider.System), "bench");
        var buffer = new ReadOnlySequence<byte>(stream);
        while (parser.TryRead(ref buffer, out var sseEvent))
            Assert.True(decoder.OnEvent(sseEvent, output));
        decoder.OnEnd(output);

        var body = Encoding.UTF8.GetString(output.WrittenSpan);
        var chunks = Infrastructure.Sse.Chunks(body);
        var toolStarts = chunks.Select(c => c.GetProperty("choices")[0].GetProperty("delta"))
            .Where(d => d.TryGetProperty("tool_calls", out var t) && t[0].TryGetProperty("id", out _)).ToList();
        Assert.Equal([0, 1, 2], toolStarts.Select(d => d.GetProperty("tool_calls")[0].GetProperty("index").GetInt32()));
        Assert.All(toolStarts, d => Assert.EndsWith("__thought__c2lnbmF0dXJl", d.GetProperty("tool_calls")[0].GetProperty("id").GetString(), StringComparison.Ordinal));
        Assert.Equal("tool_calls", chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Contains(" token 1 \"q\" \\ é 中 😀\n", Infrastructure.Sse.Text(body), StringComparison.Ordinal);
    }
}
