namespace EdgeGw.Cache;

/// <summary>The response cache's counters, read by /metrics (lock-free: incremented on the request path).</summary>
internal sealed class CacheMetrics
{
    private long _hits;
    private long _misses;
    private long _hitBytes;
    private long _stores;
    private long _redisErrors;

    public long Hits => Volatile.Read(ref _hits);
    public long Misses => Volatile.Read(ref _misses);
    /// <summary>Bytes answered from the cache.</summary>
    public long HitBytes => Volatile.Read(ref _hitBytes);
    public long Stores => Volatile.Read(ref _stores);
    /// <summary>Redis cache commands that failed or timed out (the request went upstream).</summary>
    public long RedisErrors => Volatile.Read(ref _redisErrors);

    public void Hit(int bytes)
    {
        Interlocked.Increment(ref _hits);
        Interlocked.Add(ref _hitBytes, bytes);
    }

    public void Miss() => Interlocked.Increment(ref _misses);
    public void Stored() => Interlocked.Increment(ref _stores);
    public void RedisError() => Interlocked.Increment(ref _redisErrors);
}
