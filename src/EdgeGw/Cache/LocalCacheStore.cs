namespace EdgeGw.Cache;

/// <summary>
/// The in-process store: least recently used first out, bounded by entries and bytes; an entry past
/// its ttl is dropped when next read. One lock: each operation is a dictionary lookup and a list move.
/// </summary>
internal sealed class LocalCacheStore(int maxEntries, long maxBytes, TimeProvider time) : ICacheStore
{
    private sealed record Item(string Key, CacheEntry Entry, long ExpiresAtTicks);

    private readonly Dictionary<string, LinkedListNode<Item>> _items = new(StringComparer.Ordinal);
    private readonly LinkedList<Item> _order = new(); // most recently used first
    private readonly Lock _lock = new();
    private long _bytes;

    public int Count
    {
        get { lock (_lock) return _items.Count; }
    }

    public long Bytes => Volatile.Read(ref _bytes);

    public ValueTask<CacheEntry?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcTicks;
        lock (_lock)
        {
            if (!_items.TryGetValue(key, out var node))
                return ValueTask.FromResult<CacheEntry?>(null);
            if (node.Value.ExpiresAtTicks <= now)
            {
                Remove(node);
                return ValueTask.FromResult<CacheEntry?>(null);
            }
            _order.Remove(node);
            _order.AddFirst(node);
            return ValueTask.FromResult<CacheEntry?>(node.Value.Entry);
        }
    }

    public Task SetAsync(string key, CacheEntry entry, TimeSpan? ttl)
    {
        var size = entry.Size;
        if (size > maxBytes)
            return Task.CompletedTask;
        var expires = time.GetUtcNow().UtcTicks + (ttl ?? Config.CacheSettings.LocalDefaultTtl).Ticks;
        lock (_lock)
        {
            if (_items.TryGetValue(key, out var old))
                Remove(old);
            while (_order.Last is { } last && (_items.Count >= maxEntries || _bytes + size > maxBytes))
                Remove(last);
            _items[key] = _order.AddFirst(new Item(key, entry, expires));
            _bytes += size;
        }
        return Task.CompletedTask;
    }

    public Task<long> DeleteAsync(IReadOnlyList<string> keys)
    {
        long removed = 0;
        lock (_lock)
        {
            foreach (var key in keys)
            {
                if (_items.TryGetValue(key, out var node))
                {
                    Remove(node);
                    removed++;
                }
            }
        }
        return Task.FromResult(removed);
    }

    public Task FlushAsync()
    {
        lock (_lock)
        {
            _items.Clear();
            _order.Clear();
            _bytes = 0;
        }
        return Task.CompletedTask;
    }

    public Task PingAsync() => Task.CompletedTask;

    private void Remove(LinkedListNode<Item> node)
    {
        _items.Remove(node.Value.Key);
        _order.Remove(node);
        _bytes -= node.Value.Entry.Size;
    }
}
