using System.Collections.Concurrent;

namespace EdgeGw.Routing;

/// <summary>
/// Router state that must outlive a config snapshot, keyed by deployment id: a reload keeps a
/// cooling deployment parked and keeps its latency and failure counts. Ids come from
/// <c>model_info.id</c> or a hash of the deployment's settings, so replicas on one config agree on them.
/// </summary>
internal sealed class HealthRegistry
{
    private readonly ConcurrentDictionary<string, DeploymentHealth> _deployments = new(StringComparer.Ordinal);

    /// <summary>The other replicas (Redis); null: this process alone.</summary>
    public IRouterPeers? Peers { get; set; }

    public DeploymentHealth For(string deploymentId) => _deployments.GetOrAdd(deploymentId, static (id, registry) => new DeploymentHealth(id, registry), this);

    /// <summary>The deployment's health if this replica routes to it.</summary>
    public DeploymentHealth? Find(string deploymentId) => _deployments.GetValueOrDefault(deploymentId);

    /// <summary>Every deployment this replica knows, for a periodic exchange with the other replicas.</summary>
    public ICollection<DeploymentHealth> All => _deployments.Values;
}
