using System.Buffers;
using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using EdgeGw.Streaming;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Bench;

/// <summary>
/// Bedrock ConverseStream framing alone: prelude CRC, message CRC and header walk per frame, in one
/// buffer and in the pipe's 4 KB segments a socket read fills (frames crossing a segment end are copied once).
/// </summary>
public class AwsEventStreamFramerBenchmarks
{
    private const int Frames = 1024;
    private readonly AwsEventStreamFramer _framer = new();
    private ReadOnlySequence<byte> _contiguous;
    private ReadOnlySequence<byte> _segmented;
    private Pipe? _pipe;

    [GlobalSetup]
    public void Setup()
    {
        // A text delta as Bedrock sends one (~190 B framed), with its random-length "p" padding.
        var stream = Enumerable.Range(0, Frames)
            .SelectMany(i => AwsEventStreamFrames.Event("contentBlockDelta",
                $$"""{"contentBlockIndex":0,"delta":{"text":" token{{i}}"},"p":"{{"abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"[..(i % 36)]}}"}"""))
            .ToArray();
        _contiguous = new ReadOnlySequence<byte>(stream);
        _pipe = new Pipe(new PipeOptions(minimumSegmentSize: 4096, pauseWriterThreshold: 0, useSynchronizationContext: false));
        _pipe.Writer.Write(stream);
        _pipe.Writer.FlushAsync().AsTask().GetAwaiter().GetResult();
        _pipe.Reader.TryRead(out var read);
        _segmented = read.Buffer; // never advanced: stays valid for the run
    }

    [Benchmark(OperationsPerInvoke = Frames)]
    public long OneBufferPerFrame() => Run(_contiguous);

    [Benchmark(OperationsPerInvoke = Frames)]
    public long SocketSegmentsPerFrame() => Run(_segmented);

    private long Run(ReadOnlySequence<byte> buffer)
    {
        long bytes = 0;
        while (_framer.TryRead(ref buffer, out var e))
            bytes += e.Data.Length + e.EventType.Length;
        return bytes;
    }
}
