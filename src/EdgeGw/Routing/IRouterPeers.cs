namespace EdgeGw.Routing;

/// <summary>
/// The other replicas' side of the router state. Every call returns at once: a request never waits
/// on another replica (writes are sent without waiting, reads come in on their own).
/// </summary>
internal interface IRouterPeers
{
    /// <summary>This replica parked <paramref name="health"/> for <paramref name="duration"/>.</summary>
    void CooledDown(DeploymentHealth health, TimeSpan duration);

    /// <summary>
    /// Counts a failure with every replica's this minute; <paramref name="counted"/> is called later
    /// with the shared count (not at all when the shared store is unreachable).
    /// </summary>
    void Failed(DeploymentHealth health, long now, Action<long> counted);

    /// <summary>A request succeeded on <paramref name="health"/> using <paramref name="tokens"/>.</summary>
    void Used(DeploymentHealth health, long tokens, long now);
}
