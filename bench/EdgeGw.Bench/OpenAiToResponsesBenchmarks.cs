using System.Buffers;
using BenchmarkDotNet.Attributes;
using EdgeGw.Api.Responses;
using EdgeGw.Buffers;
using EdgeGw.Providers.OpenAi;
using EdgeGw.Streaming;

namespace EdgeGw.Bench;

/// <summary>OpenAI-compatible upstream → Responses API client (/v1/responses bridged), per event.</summary>
[MemoryDiagnoser]
public class OpenAiToResponsesBenchmarks
{
    private static readonly ResponsesStreamHead Head = new(
        "\"resp_bench\""u8.ToArray(), "\"gpt-alias\""u8.ToArray(), 1_700_000_000, "\"instructions\":null,\"tools\":[],"u8.ToArray());
    private byte[] _stream = [];
    private readonly PooledBufferWriter _output = new(1 << 20);

    [GlobalSetup]
    public void Setup() => _stream = StreamFixtures.OpenAiTextStream();

    [Benchmark(OperationsPerInvoke = StreamFixtures.Events + 1)]
    public int StreamPerEvent()
    {
        _output.Reset();
        using var parser = new SseParser();
        var decoder = new OpenAiStreamDecoder<ResponsesEventEncoder>(new ResponsesEventEncoder(Head), "bench");
        var buffer = new ReadOnlySequence<byte>(_stream);
        while (parser.TryRead(ref buffer, out var sseEvent))
        {
            if (!decoder.OnEvent(sseEvent, _output))
                break;
        }
        decoder.OnEnd(_output);
        return _output.WrittenCount;
    }
}
