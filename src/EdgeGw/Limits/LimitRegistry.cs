using System.Collections.Concurrent;
using EdgeGw.Config;

namespace EdgeGw.Limits;

/// <summary>
/// The limit state that must outlive a config snapshot: per-deployment buckets (keyed by
/// deployment id, so a reload changes limits without resetting usage) and the global parallel cap.
/// Key, team and user limits live on their cached accounts.
/// </summary>
internal sealed class LimitRegistry
{
    private readonly ConcurrentDictionary<string, EntityLimits> _deployments = new(StringComparer.Ordinal);

    public EntityLimits Global { get; } = new("global", "proxy", "global");

    /// <summary>The limits replicas share through Redis; null: this process's limits alone.</summary>
    public Shared.SharedLimits? Shared { get; set; }

    /// <summary>The deployment's <c>rpm</c>/<c>tpm</c> buckets, or null when it has none.</summary>
    public EntityLimits? ForDeployment(Deployment deployment, long now)
    {
        if (deployment.Rpm is null && deployment.Tpm is null && !_deployments.ContainsKey(deployment.Id))
            return null;
        var limits = _deployments.GetOrAdd(deployment.Id, static (id, name) => new EntityLimits("deployment", name, $"deployment:{id}"), deployment.ModelName)
            .Ensure(deployment.Rpm, deployment.Tpm, null, now);
        return limits.IsEmpty ? null : limits;
    }
}
