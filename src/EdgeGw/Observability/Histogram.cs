using System.Diagnostics;

namespace EdgeGw.Observability;

/// <summary>
/// A Prometheus histogram with fixed buckets: recording is a bucket search over preconverted
/// Stopwatch ticks and two <see cref="Interlocked"/> adds — no allocation, no lock.
/// </summary>
internal sealed class Histogram
{
    private readonly long[] _boundsTicks;
    private readonly long[] _counts;
    private long _sumTicks;

    public Histogram(double[] boundsSeconds)
    {
        BoundsSeconds = boundsSeconds;
        _boundsTicks = [.. boundsSeconds.Select(s => (long)(s * Stopwatch.Frequency))];
        _counts = new long[boundsSeconds.Length + 1];
    }

    /// <summary>Upper bounds of the finite buckets; the last (+Inf) bucket is implicit.</summary>
    public double[] BoundsSeconds { get; }

    public void Record(long ticks)
    {
        if (ticks < 0)
            ticks = 0;
        // The first bound >= ticks (buckets are "less than or equal"); past the last: +Inf.
        var i = Array.BinarySearch(_boundsTicks, ticks);
        if (i < 0)
            i = ~i;
        Interlocked.Increment(ref _counts[i]);
        Interlocked.Add(ref _sumTicks, ticks);
    }

    public double SumSeconds => Interlocked.Read(ref _sumTicks) / (double)Stopwatch.Frequency;

    /// <summary>Per-bucket (non-cumulative) counts; the exposition writer accumulates them.</summary>
    public long CountAt(int bucket) => Interlocked.Read(ref _counts[bucket]);

    public int BucketCount => _counts.Length;

    // LiteLLM's LATENCY_BUCKETS (litellm/types/integrations/prometheus.py), so its dashboards' quantiles match.
    public static readonly double[] LatencyBuckets =
        [0.005, 0.00625, 0.0125, 0.025, 0.05, 0.1, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5,
         9, 9.5, 10, 15, 20, 25, 30, 60, 120, 180, 240, 300];

    // prometheus_client's default buckets, which LiteLLM's latency-per-output-token histogram uses.
    public static readonly double[] DefaultBuckets =
        [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    // The gateway's own time per request is expected in the 10 µs – 1 ms range.
    public static readonly double[] OverheadBuckets =
        [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1];
}
