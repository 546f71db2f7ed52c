using System.Buffers;
using BenchmarkDotNet.Attributes;
using EdgeGw.Api.Messages;
using EdgeGw.Buffers;
using EdgeGw.Providers.OpenAi;
using EdgeGw.Streaming;

namespace EdgeGw.Bench;

/// <summary>OpenAI upstream → Anthropic-format client (/v1/messages on an OpenAI model), per event.</summary>
public class OpenAiToAnthropicBenchmarks
{
    private static readonly byte[] ModelJson = "\"claude-alias\""u8.ToArray();
    private byte[] _stream = [];
    private readonly PooledBufferWriter _output = new(1 << 20);

    [GlobalSetup]
    public void Setup() => _stream = StreamFixtures.OpenAiTextStream();

    [Benchmark(OperationsPerInvoke = StreamFixtures.Events + 1)]
    public int StreamPerEvent()
    {
        _output.Reset();
        using var parser = new SseParser();
        var decoder = new OpenAiStreamDecoder<AnthropicEventEncoder>(new AnthropicEventEncoder(ModelJson, 10), "bench");
        var buffer = new ReadOnlySequence<byte>(_stream);
        while (parser.TryRead(ref buffer, out var sseEvent))
        {
            if (!decoder.OnEvent(sseEvent, _output))
                break;
        }
        return _output.WrittenCount;
    }
}
