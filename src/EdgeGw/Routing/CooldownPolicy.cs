using EdgeGw.Api;
using EdgeGw.Config;

namespace EdgeGw.Routing;

/// <summary>
/// LiteLLM's rule for parking a failing deployment (<c>_should_cooldown_deployment</c>). Only 401,
/// 404, 408, 429 and 5xx count (other 4xx are the caller's doing). With <c>allowed_fails</c> set:
/// more failures than that within the minute. Without it (LiteLLM's default), any of:
/// <list type="bullet">
/// <item>a 429, in a group of more than one deployment;</item>
/// <item>1000 failures and no success this minute;</item>
/// <item>over half of at least 5 requests this minute failed, in a group of more than one;</item>
/// <item>an error no retry can fix (401, 404: <c>_should_retry</c> is false) — at once, in any group,
/// so a bad key stops taking every request first.</item>
/// </list>
/// </summary>
internal static class CooldownPolicy
{
    private const int MinimumRequests = 5;
    private const int SingleDeploymentThreshold = 1000;

    public static bool Counts(int status) => status is 401 or 404 or 408 or 429 or >= 500;

    // LiteLLM's _should_retry: timeouts, lock conflicts, rate limits and server errors may pass.
    private static bool IsRetryable(int status) => status is 408 or 409 or 429 or >= 500;

    /// <summary>
    /// Records a failed attempt and parks the deployment when the rule says so. With other replicas,
    /// the failure also counts toward their shared minute: when that count (heard back without the
    /// request waiting for it) breaks the rule, the deployment is parked then, here and everywhere.
    /// </summary>
    public static void OnFailure(DeploymentHealth health, GatewayError error, int groupSize, RouterSettings settings, long now)
    {
        if (!Counts(error.Status))
            return;
        var (failures, successes) = health.RecordFailure(now);
        if (ShouldPark(error.Status, failures, successes, groupSize, settings))
        {
            health.Park(now, Duration(error, settings), error.Status);
            return;
        }
        health.Peers?.Failed(health, now, shared =>
        {
            if (shared > failures && ShouldParkShared(shared, successes, settings))
                health.Park(now, Duration(error, settings), error.Status);
        });
    }

    /// <summary>
    /// The rules that count failures alone, on every replica's failures this minute. Successes are not
    /// shared (that would cost a write per success), so the failure-ratio rule stays per replica.
    /// </summary>
    private static bool ShouldParkShared(long failures, int successes, RouterSettings settings) =>
        settings.AllowedFails is { } allowed ? failures > allowed : successes == 0 && failures >= SingleDeploymentThreshold;

    private static bool ShouldPark(int status, int failures, int successes, int groupSize, RouterSettings settings)
    {
        var total = failures + successes;
        return settings.AllowedFails is { } allowed
            ? failures > allowed
            : (groupSize > 1 && status == 429)
                || (successes == 0 && failures >= SingleDeploymentThreshold)
                || (groupSize > 1 && total >= MinimumRequests && failures * 2 > total)
                || !IsRetryable(status);
    }

    private static TimeSpan Duration(GatewayError error, RouterSettings settings) =>
        error.RetryAfterSeconds is int seconds && seconds > 0 ? TimeSpan.FromSeconds(seconds) : settings.CooldownTime;
}
