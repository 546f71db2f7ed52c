namespace EdgeGw.Observability.Callbacks;

/// <summary>
/// A fixed ring of events for one destination. Full, it overwrites the oldest (a slow destination
/// must cost memory up to its capacity, never the request), counting each loss.
/// </summary>
internal sealed class CallbackQueue(int capacity)
{
    private readonly CallbackEvent[] _ring = new CallbackEvent[capacity];
    private readonly Lock _lock = new();
    private int _head;
    private int _count;
    private long _dropped;

    public int Capacity => _ring.Length;

    /// <summary>Events lost: overwritten while queued, or given up on after the last retry.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public int Count
    {
        get
        {
            lock (_lock)
                return _count;
        }
    }

    /// <summary>Adds <paramref name="item"/> and returns how many are now queued.</summary>
    public int Enqueue(in CallbackEvent item)
    {
        lock (_lock)
        {
            if (_count == _ring.Length)
            {
                _ring[_head] = item;
                _head = (_head + 1) % _ring.Length;
                _dropped++;
                return _count;
            }
            _ring[(_head + _count) % _ring.Length] = item;
            return ++_count;
        }
    }

    /// <summary>Moves up to <paramref name="into"/>'s length of the oldest events out; returns how many.</summary>
    public int Drain(Span<CallbackEvent> into)
    {
        lock (_lock)
        {
            var n = Math.Min(into.Length, _count);
            for (var i = 0; i < n; i++)
            {
                into[i] = _ring[_head];
                // Cleared so a sent row is not kept alive by the ring.
                _ring[_head] = default;
                _head = (_head + 1) % _ring.Length;
            }
            _count -= n;
            return n;
        }
    }

    public void CountDropped(int events) => Interlocked.Add(ref _dropped, events);
}
