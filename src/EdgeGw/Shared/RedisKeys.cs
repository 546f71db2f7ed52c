namespace EdgeGw.Shared;

/// <summary>
/// Names of EdgeGw's keys in the shared Redis. Everything one admission script touches carries the
/// same hash tag, <c>{edgegw}</c>, so it lands in one Redis Cluster slot: a multi-key script is atomic
/// only within a slot. The price is that limits live on one shard; their traffic is one small script
/// per request, far below what one shard serves.
/// </summary>
internal static class RedisKeys
{
    public const string Prefix = "edgegw:{edgegw}:";

    /// <summary>The pub/sub channel for key/team/user changes (PostgreSQL's NOTIFY channel's name).</summary>
    public const string AccountChannel = "edgegw:accounts";
}
