namespace EdgeGw.Routing;

/// <summary>
/// What the router knows about one deployment, kept across config reloads (keyed by deployment id
/// in <see cref="HealthRegistry"/>): requests in flight, a latency average, this minute's
/// successes and failures, and the end of its cooldown. Every field is updated lock-free.
/// </summary>
internal sealed class DeploymentHealth
{
    private const double LatencyWeight = 0.3;
    private const int CountBits = 19;
    private const long CountMask = (1L << CountBits) - 1;
    private static readonly long Minute = TimeSpan.FromMinutes(1).Ticks;

    private int _inFlight;
    private long _latencyBits; // a double (seconds); 0 until the first sample
    private long _window;      // minute (26 bits) | successes (19) | failures (19), saturating
    private long _coolUntil;   // UTC ticks

    public int InFlight => Volatile.Read(ref _inFlight);

    public void Enter() => Interlocked.Increment(ref _inFlight);

    public void Exit() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Recent time to first byte in seconds (an exponentially weighted average); 0 when never measured.</summary>
    public double Latency => BitConverter.Int64BitsToDouble(Volatile.Read(ref _latencyBits));

    public void RecordLatency(TimeSpan sample)
    {
        var seconds = Math.Max(sample.TotalSeconds, 1e-6);
        while (true)
        {
            var bits = Volatile.Read(ref _latencyBits);
            var old = BitConverter.Int64BitsToDouble(bits);
            var next = old == 0 ? seconds : old + LatencyWeight * (seconds - old);
            // Lost a race with another sample: fold this one into the winner's value.
            if (Interlocked.CompareExchange(ref _latencyBits, BitConverter.DoubleToInt64Bits(next), bits) == bits)
                return;
        }
    }

    public bool IsCoolingDown(long now) => Volatile.Read(ref _coolUntil) > now;

    public long CoolingUntil => Volatile.Read(ref _coolUntil);

    /// <summary>Parks the deployment until <paramref name="until"/> (a longer cooldown already running is kept).</summary>
    public void CoolDown(long until)
    {
        while (true)
        {
            var current = Volatile.Read(ref _coolUntil);
            if (current >= until || Interlocked.CompareExchange(ref _coolUntil, until, current) == current)
                return;
        }
    }

    public void RecordSuccess(long now) => Count(now, failure: false);

    /// <summary>Counts a failure and returns this minute's (failures, successes) including it.</summary>
    public (int Failures, int Successes) RecordFailure(long now)
    {
        var window = Count(now, failure: true);
        return ((int)(window & CountMask), (int)((window >> CountBits) & CountMask));
    }

    private long Count(long now, bool failure)
    {
        var minute = (now / Minute) & ((1L << 26) - 1);
        while (true)
        {
            var window = Volatile.Read(ref _window);
            long successes = 0, failures = 0;
            if (window >> (2 * CountBits) == minute)
            {
                successes = (window >> CountBits) & CountMask;
                failures = window & CountMask;
            }
            if (failure)
                failures = Math.Min(failures + 1, CountMask);
            else
                successes = Math.Min(successes + 1, CountMask);
            var next = (minute << (2 * CountBits)) | (successes << CountBits) | failures;
            if (window == next || Interlocked.CompareExchange(ref _window, next, window) == window)
                return next;
        }
    }
}
