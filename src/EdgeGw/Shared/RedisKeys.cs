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

    /// <summary>
    /// admit.lua's and settle.lua's keys, in the layout of this release (one hash and one lease set per id): a new
    /// name, so replicas of the previous release (<c>rpm:</c>, <c>tpm:</c>, <c>par:</c>, <c>bres:</c>, <c>bexp:</c>,
    /// <c>spend:</c>) never read this layout as theirs during a rolling upgrade, nor this one theirs.
    /// </summary>
    public const string Limits = Prefix + "v2:";

    /// <summary>The shared spend of a budget's window (<c>Scripts/admit.lua</c>'s third key of a budget).</summary>
    public static string Spend(string budgetId, long resetAtMs) =>
        $"{Limits}spend:{budgetId}:{resetAtMs.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>The pub/sub channel for key/team/user changes (PostgreSQL's NOTIFY channel's name).</summary>
    public const string AccountChannel = "edgegw:accounts";
}
