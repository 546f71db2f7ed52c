using System.Diagnostics;

namespace EdgeGw.Observability.Otel;

/// <summary>
/// The pool of <see cref="DeferredTrace"/> records, the fixed ring requests enqueue them into (the oldest
/// is dropped when full, like the callback queues) and the worker thread that builds their spans.
/// Process-wide like the ActivitySource; started and drained by <see cref="OtelTracing"/>.
/// </summary>
internal static class DeferredSpans
{
    public const int Capacity = 4096;

    private static readonly object Gate = new(); // a monitor: the worker waits on it
    private static readonly DeferredTrace?[] Ring = new DeferredTrace?[Capacity];
    private static readonly DeferredTrace?[] Pool = new DeferredTrace?[Capacity];
    private static int _head, _count, _pooled;
    private static Thread? _worker;
    private static bool _stopping;

    /// <summary>Otel on without forward_traceparent (which needs the attempt's span id on the request path).</summary>
    public static volatile bool Enabled;

    /// <summary>Records dropped because the ring was full (the worker fell behind).</summary>
    public static long Dropped;

    public static DeferredTrace Rent()
    {
        lock (Gate)
        {
            if (_pooled > 0)
            {
                var trace = Pool[--_pooled]!;
                Pool[_pooled] = null;
                return trace;
            }
        }
        return new DeferredTrace();
    }

    public static void Enqueue(DeferredTrace trace)
    {
        lock (Gate)
        {
            if (_count == Ring.Length)
            {
                Ring[_head] = trace;
                _head = (_head + 1) % Ring.Length;
                Dropped++;
            }
            else
                Ring[(_head + _count++) % Ring.Length] = trace;
            Monitor.Pulse(Gate);
        }
    }

    public static void Start()
    {
        lock (Gate)
            _stopping = false;
        _worker = new Thread(Work) { IsBackground = true, Name = "EdgeGw otel spans" };
        _worker.Start();
        Enabled = true;
    }

    /// <summary>Builds every queued trace, then stops the worker: before the provider flushes.</summary>
    public static void Stop()
    {
        Enabled = false;
        lock (Gate)
        {
            _stopping = true;
            Monitor.Pulse(Gate);
        }
        _worker?.Join(TimeSpan.FromSeconds(10));
        _worker = null;
        Drain(); // a record enqueued as the worker stopped
    }

    /// <summary>Builds what is queued on the calling thread (the worker's loop; tests).</summary>
    public static void Drain()
    {
        while (TryDequeue(wait: false) is { } trace)
            Build(trace);
    }

    private static void Work()
    {
        while (TryDequeue(wait: true) is { } trace)
            Build(trace);
    }

    private static DeferredTrace? TryDequeue(bool wait)
    {
        lock (Gate)
        {
            while (wait && _count == 0 && !_stopping)
                Monitor.Wait(Gate, TimeSpan.FromSeconds(1));
            if (_count == 0)
                return null;
            var trace = Ring[_head];
            Ring[_head] = null;
            _head = (_head + 1) % Ring.Length;
            _count--;
            return trace;
        }
    }

    private static void Build(DeferredTrace trace)
    {
        try
        {
            DeferredSpanBuilder.Build(GatewayActivity.Source, trace);
        }
#pragma warning disable CA1031 // a span that fails to build must not stop the worker for every later request
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            Activity.Current = null;
        }
        trace.Reset();
        lock (Gate)
        {
            if (_pooled < Pool.Length)
                Pool[_pooled++] = trace;
        }
    }
}
