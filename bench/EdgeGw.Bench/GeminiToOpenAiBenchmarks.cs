using System.Buffers;
using BenchmarkDotNet.Attributes;
using EdgeGw.Buffers;
using EdgeGw.Providers.Gemini;
using EdgeGw.Providers.OpenAi;
using EdgeGw.Streaming;

namespace EdgeGw.Bench;

/// <summary>Gemini upstream → OpenAI client: SSE parse + Gemini decode + OpenAI chunk encode, per event.</summary>
public class GeminiToOpenAiBenchmarks
{
    private static readonly byte[] ModelJson = "\"my-gemini\""u8.ToArray();
    private byte[] _text = [];
    private byte[] _mixed = [];
    private readonly PooledBufferWriter _output = new(1 << 20);

    [GlobalSetup]
    public void Setup()
    {
        _text = GeminiStreamFixtures.TextStream();
        _mixed = GeminiStreamFixtures.MixedStream();
    }

    [Benchmark(OperationsPerInvoke = GeminiStreamFixtures.Events + 1)]
    public int TextStreamPerEvent() => Run(_text);

    /// <summary>Every 8th event a function call: its args object escaped into an OpenAI arguments string.</summary>
    [Benchmark(OperationsPerInvoke = GeminiStreamFixtures.Events + 1)]
    public int ToolCallMixPerEvent() => Run(_mixed);

    private int Run(byte[] stream)
    {
        _output.Reset();
        using var parser = new SseParser();
        var encoder = new OpenAiChunkEncoder(ModelJson, clientWantsUsage: true, TimeProvider.System);
        var decoder = new GeminiStreamDecoder<OpenAiChunkEncoder>(encoder, "bench");
        var buffer = new ReadOnlySequence<byte>(stream);
        while (parser.TryRead(ref buffer, out var sseEvent))
        {
            if (!decoder.OnEvent(sseEvent, _output))
                break;
        }
        decoder.OnEnd(_output);
        return _output.WrittenCount;
    }
}
