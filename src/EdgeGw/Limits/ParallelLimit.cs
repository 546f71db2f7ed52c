namespace EdgeGw.Limits;

/// <summary>A cap on requests in flight: a counter raised only while below the cap.</summary>
internal sealed class ParallelLimit(int limit)
{
    private int _inFlight;
    private int _limit = limit;

    public int Limit => Volatile.Read(ref _limit);
    public int InFlight => Volatile.Read(ref _inFlight);

    public void SetLimit(int limit) => Volatile.Write(ref _limit, limit);

    public bool TryEnter()
    {
        while (true)
        {
            var current = Volatile.Read(ref _inFlight);
            if (current >= Volatile.Read(ref _limit))
                return false;
            // Lost a race with another entrant or a release: read again rather than overshoot.
            if (Interlocked.CompareExchange(ref _inFlight, current + 1, current) == current)
                return true;
        }
    }

    public void Exit() => Interlocked.Decrement(ref _inFlight);
}
