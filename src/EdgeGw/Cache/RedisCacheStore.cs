using EdgeGw.Shared;
using StackExchange.Redis;

namespace EdgeGw.Cache;

/// <summary>
/// The shared store: one <c>GET</c> / <c>SET … PX</c> per entry on the gateway's Redis connection, the
/// key being the cache key itself (LiteLLM's layout: <c>namespace:sha256</c>), each command bounded by
/// the Redis timeout.
/// </summary>
internal sealed class RedisCacheStore(RedisConnection redis) : ICacheStore
{
    // 64 lowercase hex digits: a cache key's hash part; the prefix check keeps EdgeGw's own keys (which may end in a token hash) out.
    private static readonly string HashPattern = "*" + string.Concat(Enumerable.Repeat("[0-9a-f]", 64));
    private const int ScanBatch = 500;

    private TimeSpan Timeout => redis.Settings.Timeout;

    public async ValueTask<CacheEntry?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var value = await redis.Database.StringGetAsync(key).WaitAsync(Timeout, cancellationToken).ConfigureAwait(false);
        return value.IsNull ? null : CacheEntry.Deserialize((byte[])value!);
    }

    public Task SetAsync(string key, CacheEntry entry, TimeSpan? ttl) =>
        redis.Database.StringSetAsync(key, entry.Serialize(), ttl is { } t ? (Expiration)t : Expiration.Default).WaitAsync(Timeout);

    public async Task<long> DeleteAsync(IReadOnlyList<string> keys)
    {
        if (keys.Count == 0)
            return 0;
        var redisKeys = new RedisKey[keys.Count];
        for (var i = 0; i < keys.Count; i++)
            redisKeys[i] = keys[i];
        return await redis.Database.KeyDeleteAsync(redisKeys).WaitAsync(Timeout).ConfigureAwait(false);
    }

    public async Task FlushAsync()
    {
        // Not FLUSHALL (LiteLLM's): this Redis also holds the replicas' limits, budgets and router state.
        foreach (var server in redis.Multiplexer.GetServers())
        {
            if (server.IsReplica || !server.IsConnected)
                continue;
            var batch = new List<RedisKey>(ScanBatch);
            await foreach (var key in server.KeysAsync(redis.Settings.Database ?? -1, HashPattern, ScanBatch).ConfigureAwait(false))
            {
                if (((string?)key)?.StartsWith(RedisKeys.Prefix, StringComparison.Ordinal) != false)
                    continue;
                batch.Add(key);
                if (batch.Count == ScanBatch)
                {
                    await redis.Database.KeyDeleteAsync([.. batch]).ConfigureAwait(false);
                    batch.Clear();
                }
            }
            if (batch.Count > 0)
                await redis.Database.KeyDeleteAsync([.. batch]).ConfigureAwait(false);
        }
    }

    public Task PingAsync() => redis.Database.PingAsync().WaitAsync(Timeout);
}
