namespace EdgeGw.Cache;

/// <summary>Where entries are kept: this process's memory or the shared Redis. Failures throw; <see cref="ResponseCache"/> absorbs them.</summary>
internal interface ICacheStore
{
    ValueTask<CacheEntry?> GetAsync(string key, CancellationToken cancellationToken);
    Task SetAsync(string key, CacheEntry entry, TimeSpan? ttl);
    /// <summary>Removes the keys; how many there were.</summary>
    Task<long> DeleteAsync(IReadOnlyList<string> keys);
    /// <summary>Removes every cached answer (never the gateway's other state in the same Redis).</summary>
    Task FlushAsync();
    Task PingAsync();
}
