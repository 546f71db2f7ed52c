using EdgeGw.Api;
using EdgeGw.Limits;

namespace EdgeGw.Shared;

/// <summary>How a shared admission ended.</summary>
internal enum SharedOutcome : byte
{
    /// <summary>Taken in Redis: settle the hold when the answer ends.</summary>
    Admitted,
    /// <summary>Nothing the request touches is limited: no round trip was made.</summary>
    NothingShared,
    /// <summary>A rate or parallel limit refused (<see cref="SharedVerdict.Refusal"/>): a deployment's means try another.</summary>
    Refused,
    /// <summary>A budget refused, or Redis is unavailable in <c>closed</c> mode: <see cref="SharedVerdict.Error"/>.</summary>
    Failed,
    /// <summary>Redis is unavailable and limits fall back to this replica's (which already admitted).</summary>
    LocalOnly,
}

internal readonly record struct SharedVerdict(SharedOutcome Outcome, SharedHold? Hold = null, Refusal Refusal = default, GatewayError? Error = null);
