using System.Buffers;
using BenchmarkDotNet.Attributes;
using EdgeGw.Buffers;
using EdgeGw.Providers.OpenAi;
using EdgeGw.Streaming;

namespace EdgeGw.Bench;

/// <summary>OpenAI upstream → OpenAI client: SSE parse + model splice, per event.</summary>
public class OpenAiPassThroughBenchmarks
{
    private static readonly byte[] ModelJson = "\"my-gpt\""u8.ToArray();
    private byte[] _stream = [];
    private readonly PooledBufferWriter _output = new(1 << 20);

    [GlobalSetup]
    public void Setup() => _stream = StreamFixtures.OpenAiTextStream();

    [Benchmark(OperationsPerInvoke = StreamFixtures.Events + 1)]
    public int StreamPerEvent()
    {
        _output.Reset();
        using var parser = new SseParser();
        var relay = new OpenAiStreamRelay(ModelJson, clientWantsUsage: false, "bench");
        var buffer = new ReadOnlySequence<byte>(_stream);
        while (parser.TryRead(ref buffer, out var sseEvent))
        {
            if (!relay.OnEvent(sseEvent, _output))
                break;
        }
        return _output.WrittenCount;
    }
}
