using BenchmarkDotNet.Attributes;
using EdgeGw.Config;
using EdgeGw.Observability.Callbacks;
using EdgeGw.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGw.Bench;

/// <summary>
/// The request path's whole callback cost: <see cref="CallbackDispatcher.Publish"/> (a struct into each
/// destination's ring). Full = a destination that is down: every publish overwrites the oldest.
/// Not full = the ring alone, each event also drained as the worker would (that half runs on the worker).
/// </summary>
public class CallbackPublishBenchmarks
{
    private const int Ring = 1024;
    private static readonly SpendRow Row = new()
    {
        RequestId = "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", ApiKey = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
        StartTime = DateTimeOffset.UnixEpoch, EndTime = DateTimeOffset.UnixEpoch.AddSeconds(1),
        Model = "gpt-4o", ModelGroup = "gpt", ModelId = "d1", Status = "success",
    };
    private CallbackDispatcher _one = null!;
    private CallbackDispatcher _two = null!;
    private readonly CallbackQueue _queue = new(Ring);
    private readonly CallbackEvent[] _drained = new CallbackEvent[Ring];

    private static CallbackDispatcher Dispatcher(int destinations) => new(new CallbackSettings
    {
        // Never drained: a closed port and an hour between flushes, so the rings stay full.
        GenericApi = [.. Enumerable.Range(0, destinations).Select(i => new GenericApiCallback($"hook{i}", new Uri("http://127.0.0.1:9/logs"), [], true, true, GenericLogFormat.JsonArray)
        {
            FlushInterval = TimeSpan.FromHours(1),
        })],
    }, NullLogger.Instance, new CallbackOptions { QueueCapacity = Ring, BatchSize = 2 * Ring });

    [GlobalSetup]
    public void Setup()
    {
        _one = Dispatcher(1);
        _two = Dispatcher(2);
        for (var i = 0; i < Ring; i++)
        {
            _one.Publish(Row, null, null);
            _two.Publish(Row, null, null);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _one.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _two.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark]
    public void PublishOneDestinationFull() => _one.Publish(Row, null, null);

    [Benchmark]
    public void PublishTwoDestinationsFull() => _two.Publish(Row, null, TimeSpan.FromMilliseconds(120));

    [Benchmark(OperationsPerInvoke = Ring)]
    public int EnqueueNotFullThenDrain()
    {
        var item = new CallbackEvent(Row, null);
        for (var i = 0; i < Ring; i++)
            _queue.Enqueue(item);
        return _queue.Drain(_drained);
    }
}
