using System.Buffers;
using BenchmarkDotNet.Attributes;
using EdgeGw.Buffers;
using EdgeGw.Providers.Bedrock;
using EdgeGw.Providers.OpenAi;
using EdgeGw.Streaming;

namespace EdgeGw.Bench;

/// <summary>Bedrock upstream → OpenAI client: event-stream framing (both CRCs) + Converse decode + OpenAI chunk encode, per event.</summary>
public class BedrockToOpenAiBenchmarks
{
    private static readonly byte[] ModelJson = "\"my-bedrock\""u8.ToArray();
    private byte[] _text = [];
    private byte[] _mixed = [];
    private readonly PooledBufferWriter _output = new(1 << 20);

    [GlobalSetup]
    public void Setup()
    {
        _text = BedrockStreamFixtures.TextStream();
        _mixed = BedrockStreamFixtures.MixedStream();
    }

    [Benchmark(OperationsPerInvoke = BedrockStreamFixtures.Events + 4)]
    public int TextStreamPerEvent() => Run(_text);

    /// <summary>Every 8th event a tool call's input fragment (copied as the escaped string it arrives as).</summary>
    [Benchmark(OperationsPerInvoke = BedrockStreamFixtures.Events + 5)]
    public int ToolCallMixPerEvent() => Run(_mixed);

    private int Run(byte[] stream)
    {
        _output.Reset();
        using var framer = new AwsEventStreamFramer();
        var encoder = new OpenAiChunkEncoder(ModelJson, clientWantsUsage: true, TimeProvider.System);
        var decoder = new ConverseStreamDecoder<OpenAiChunkEncoder>(encoder, "bench");
        var buffer = new ReadOnlySequence<byte>(stream);
        while (framer.TryRead(ref buffer, out var sseEvent))
        {
            if (!decoder.OnEvent(sseEvent, _output))
                break;
        }
        decoder.OnEnd(_output);
        return _output.WrittenCount;
    }
}
