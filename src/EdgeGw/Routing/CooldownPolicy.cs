using EdgeGw.Api;
using EdgeGw.Config;

namespace EdgeGw.Routing;

/// <summary>
/// LiteLLM's rule for parking a failing deployment. Only 401, 404, 408, 429 and 5xx count (other
/// 4xx are the caller's doing). With <c>allowed_fails</c> set: more failures than that within the
/// minute. Without it (LiteLLM's default): a 429, or over half of at least 5 requests this minute
/// failing — in groups of more than one deployment; a lone deployment is parked only after 1000
/// failures without a success in a minute, since parking it cannot send traffic elsewhere.
/// </summary>
internal static class CooldownPolicy
{
    private const int MinimumRequests = 5;
    private const int SingleDeploymentThreshold = 1000;

    public static bool Counts(int status) => status is 401 or 404 or 408 or 429 or >= 500;

    /// <summary>Records a failed attempt and parks the deployment when the rule says so.</summary>
    public static void OnFailure(DeploymentHealth health, GatewayError error, int groupSize, RouterSettings settings, long now)
    {
        if (!Counts(error.Status))
            return;
        var (failures, successes) = health.RecordFailure(now);
        var total = failures + successes;
        var park = settings.AllowedFails is { } allowed
            ? failures > allowed
            : groupSize > 1
                ? error.Status == 429 || (total >= MinimumRequests && failures * 2 > total)
                : successes == 0 && failures >= SingleDeploymentThreshold;
        if (!park)
            return;
        var duration = error.RetryAfterSeconds is int seconds && seconds > 0 ? TimeSpan.FromSeconds(seconds) : settings.CooldownTime;
        health.CoolDown(now + duration.Ticks);
    }
}
