namespace EdgeGw.Shared;

/// <summary>
/// Stops asking a Redis that does not answer: after <see cref="Threshold"/> failures in a row it opens
/// for <see cref="CoolOff"/>, then lets one request probe (half-open); the probe's success closes it.
/// Lock-free; the open and close transitions happen once each, so each logs one line.
/// </summary>
internal sealed class RedisBreaker(TimeSpan coolOff)
{
    public const int Threshold = 3;
    private int _failures;
    private long _openUntil; // Environment.TickCount64; 0 = closed
    private int _probing;

    public TimeSpan CoolOff { get; } = coolOff;
    public bool IsOpen => Volatile.Read(ref _openUntil) != 0;

    /// <summary>Whether this request may use Redis: always while closed, one probe after the cool-off.</summary>
    public bool Allow()
    {
        var until = Volatile.Read(ref _openUntil);
        if (until == 0)
            return true;
        return Environment.TickCount64 >= until && Interlocked.CompareExchange(ref _probing, 1, 0) == 0;
    }

    /// <summary>Records an answer; true when it closed an open breaker.</summary>
    public bool Succeeded()
    {
        Volatile.Write(ref _failures, 0);
        Volatile.Write(ref _probing, 0);
        return Interlocked.Exchange(ref _openUntil, 0) != 0;
    }

    /// <summary>Records a failure or timeout; true when it opened the breaker.</summary>
    public bool Failed()
    {
        var until = Environment.TickCount64 + (long)CoolOff.TotalMilliseconds;
        if (Volatile.Read(ref _openUntil) != 0)
        {
            // A failed probe: stay open for another cool-off.
            Volatile.Write(ref _openUntil, until);
            Volatile.Write(ref _probing, 0);
            return false;
        }
        return Interlocked.Increment(ref _failures) >= Threshold && Interlocked.CompareExchange(ref _openUntil, until, 0) == 0;
    }
}
