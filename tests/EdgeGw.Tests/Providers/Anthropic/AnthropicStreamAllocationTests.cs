using System.Text;
using EdgeGw.Buffers;
using EdgeGw.Providers.Anthropic;
using EdgeGw.Providers.OpenAi;
using EdgeGw.Streaming;
using static EdgeGw.Tests.Providers.Anthropic.AnthropicWireFixtures;

namespace EdgeGw.Tests.Providers.Anthropic;

/// <summary>The decoder's steady state allocates nothing: a regression fails here, not in a benchmark run.</summary>
public sealed class AnthropicStreamAllocationTests
{
    private const int DeltasPerBlock = 1500;
    private static readonly byte[] ModelJson = "\"claude\""u8.ToArray();

    /// <summary>Thinking, text (escapes, CJK, emoji) and two tool calls, each <see cref="DeltasPerBlock"/> deltas long, pings between.</summary>
    private static (byte[] Head, byte[] Body, byte[] Tail, int BodyEvents) LongStream()
    {
        var body = new StringBuilder();
        var events = 0;
        body.Append(ThinkingStart(0));
        for (var i = 0; i < DeltasPerBlock; i++, events++)
            body.Append(ThinkingDelta(0, "step " + i + " considers \"why\"; "));
        body.Append(SignatureDelta(0)).Append(BlockStop(0)).Append(TextStart(1));
        events += 3;
        for (var i = 0; i < DeltasPerBlock; i++, events++)
            body.Append(i % 100 == 0 ? Ping : TextDelta(1, i % 2 == 0 ? " token\\n\t漢字 " : "😀 \"q\" "));
        body.Append(BlockStop(1)).Append(ToolStart(2, "toolu_01A", "get_weather"));
        events += 2;
        for (var i = 0; i < DeltasPerBlock; i++, events++)
            body.Append(ToolDelta(2, i == 0 ? "{\"k\":\"" : "v\\\"" + (i % 10)));
        body.Append(BlockStop(2)).Append(ToolStart(3, "toolu_01B", "get_time"));
        events += 2;
        for (var i = 0; i < DeltasPerBlock; i++, events++)
            body.Append(ToolDelta(3, "abc"));
        body.Append(BlockStop(3));
        events++;
        return (Encoding.UTF8.GetBytes(MessageStart()), Encoding.UTF8.GetBytes(body.ToString()),
            Encoding.UTF8.GetBytes(MessageDelta("tool_use", 5000) + MessageStop), events);
    }

    private static void Feed(SseParser parser, IStreamTranslator decoder, byte[] bytes, PooledBufferWriter output)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        while (parser.TryRead(ref buffer, out var sseEvent))
        {
            Assert.True(decoder.OnEvent(sseEvent, output) || sseEvent.EventType.SequenceEqual("message_stop"u8));
            if (output.WrittenCount > 32 * 1024)
                output.Reset(); // as the relay's flush would
        }
    }

    private static long RunStream(byte[] head, byte[] body, byte[] tail, PooledBufferWriter output, out long bodyBytes)
    {
        using var parser = new SseParser();
        var decoder = new AnthropicStreamDecoder<OpenAiChunkEncoder>(
            new OpenAiChunkEncoder(ModelJson, clientWantsUsage: true, TimeProvider.System), "claude", null, jsonMode: false);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Feed(parser, decoder, head, output);
        var bodyStart = GC.GetAllocatedBytesForCurrentThread();
        Feed(parser, decoder, body, output);
        bodyBytes = GC.GetAllocatedBytesForCurrentThread() - bodyStart;
        Feed(parser, decoder, tail, output);
        decoder.OnEnd(output);
        Assert.Null(decoder.Error);
        Assert.Equal(5000, decoder.Usage.CompletionTokens);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void LongStream_AllocatesNothingPerEvent()
    {
        var (head, body, tail, events) = LongStream();
        using var output = new PooledBufferWriter(64 * 1024);
        RunStream(head, body, tail, output, out _); // warm-up: JIT, pool buckets

        var whole = RunStream(head, body, tail, output, out var steady);

        Assert.True(events > 5000);
        Assert.True((double)steady / events < 1.0, $"steady state allocated {steady} B over {events} events");
        // The per-stream setup (decoder, encoder head) amortised over the stream is still under a byte an event.
        Assert.True((double)whole / events < 1.0, $"whole stream allocated {whole} B over {events} events");
    }

    [Fact]
    public void LongStream_TranslatesEveryDelta()
    {
        var (head, body, tail, _) = LongStream();
        using var output = new PooledBufferWriter(64 * 1024 * 1024);
        using var parser = new SseParser();
        var decoder = new AnthropicStreamDecoder<OpenAiChunkEncoder>(
            new OpenAiChunkEncoder(ModelJson, clientWantsUsage: false, TimeProvider.System), "claude", null, jsonMode: false);
        foreach (var bytes in new[] { head, body, tail })
        {
            var buffer = new ReadOnlySequence<byte>(bytes);
            while (parser.TryRead(ref buffer, out var sseEvent))
                decoder.OnEvent(sseEvent, output);
        }

        var text = Encoding.UTF8.GetString(output.WrittenSpan);
        var chunks = Infrastructure.Sse.Chunks(text);
        Assert.Equal(1 + 4 * DeltasPerBlock - DeltasPerBlock / 100 + 2 + 1, chunks.Count); // role, deltas (pings excluded), 2 tool starts, finish
        Assert.EndsWith("data: [DONE]\n\n", text, StringComparison.Ordinal);
    }
}
