using System.Globalization;
using StackExchange.Redis;

namespace EdgeGw.Shared;

/// <summary>
/// One deployment's router keys in the shared Redis, built once per deployment (the per-minute ones
/// once per minute) so a request's write builds no strings.
/// </summary>
internal sealed class RouterStateKeys(string deploymentId)
{
    private UsageKey _usage = new(-1, default);

    /// <summary>Present while a replica has the deployment parked; its TTL is what is left of the cooldown.</summary>
    public RedisKey Cooldown { get; } = RedisKeys.Prefix + "cooldown:" + deploymentId;

    /// <summary>A hash: replica id → "seconds:unix ms" of that replica's latency average.</summary>
    public RedisKey Latency { get; } = RedisKeys.Prefix + "latency:" + deploymentId;

    /// <summary>Failures this minute across replicas (INCR, expiring after the minute).</summary>
    public RedisKey Failures(long minute) => RedisKeys.Prefix + "fails:" + deploymentId + ":" + minute.ToString(CultureInfo.InvariantCulture);

    /// <summary>A hash of <c>requests</c> and <c>tokens</c> every replica used in <paramref name="minute"/>; <paramref name="first"/> the first use of it here.</summary>
    public RedisKey Usage(long minute, out bool first)
    {
        var current = Volatile.Read(ref _usage);
        first = false;
        if (current.Minute == minute)
            return current.Key;
        var next = new UsageKey(minute, RedisKeys.Prefix + "usage:" + deploymentId + ":" + minute.ToString(CultureInfo.InvariantCulture));
        first = ReferenceEquals(Interlocked.CompareExchange(ref _usage, next, current), current);
        return next.Key;
    }

    private sealed record UsageKey(long Minute, RedisKey Key);
}
