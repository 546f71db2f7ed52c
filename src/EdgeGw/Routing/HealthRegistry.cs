using System.Collections.Concurrent;

namespace EdgeGw.Routing;

/// <summary>
/// Router state that must outlive a config snapshot, keyed by deployment id: a reload keeps a
/// cooling deployment parked and keeps its latency and failure counts.
/// </summary>
internal sealed class HealthRegistry
{
    private readonly ConcurrentDictionary<string, DeploymentHealth> _deployments = new(StringComparer.Ordinal);

    public DeploymentHealth For(string deploymentId) => _deployments.GetOrAdd(deploymentId, static _ => new DeploymentHealth());
}
