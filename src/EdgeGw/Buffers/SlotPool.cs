namespace EdgeGw.Buffers;

internal static class SlotPool
{
    /// <summary>Per-request objects kept per pool: above the requests one gateway has in flight, a few hundred KB in all.</summary>
    public const int RequestsInFlight = 128;
}

/// <summary>
/// A bounded lock-free pool of reusable objects: an array of slots, each claimed by compare-exchange, and a hint of
/// the slot last filled so a rent usually finds one at once. Full, it drops what comes back; empty, it rents nothing.
/// </summary>
internal sealed class SlotPool<T>(int capacity) where T : class
{
    private readonly T?[] _slots = new T?[capacity];
    private int _top; // a hint only: each slot is claimed by compare-exchange

    public T? TryRent()
    {
        var top = _top;
        for (var i = 0; i < _slots.Length; i++)
        {
            var at = (top - i + _slots.Length) % _slots.Length;
            if (_slots[at] is { } item && Interlocked.CompareExchange(ref _slots[at], null, item) == item)
            {
                _top = at == 0 ? _slots.Length - 1 : at - 1;
                return item;
            }
        }
        return null;
    }

    public void Return(T item)
    {
        var top = _top;
        for (var i = 1; i <= _slots.Length; i++)
        {
            var at = (top + i) % _slots.Length;
            if (_slots[at] is null && Interlocked.CompareExchange(ref _slots[at], item, null) is null)
            {
                _top = at;
                return;
            }
        }
    }
}
