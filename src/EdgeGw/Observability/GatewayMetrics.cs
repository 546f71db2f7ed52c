using System.Collections.Concurrent;
using System.Collections.Frozen;
using EdgeGw.Auth;
using EdgeGw.Config;

namespace EdgeGw.Observability;

/// <summary>
/// The gateway's Prometheus series. Deployment series are created when a config is loaded
/// (<see cref="Load"/>) and survive reloads; a request finds its series by reference to its
/// <see cref="Deployment"/> and its key's account, so recording allocates nothing.
/// </summary>
internal sealed class GatewayMetrics
{
    private readonly ConcurrentDictionary<(string Group, string Id), DeploymentSeries> _all = new();
    private readonly Func<Caller, CallerLabels> _labels;
    private FrozenDictionary<Deployment, DeploymentSeries> _byDeployment =
        FrozenDictionary<Deployment, DeploymentSeries>.Empty;
    private const int MaxWildcardSeries = 4096;
    private long _inFlightRequests;
    private long _inFlightStreams;
    private long _rateLimitRefusals;
    private long _budgetRefusals;

    public GatewayMetrics() => _labels = LabelsOf;

    /// <summary>The keys, teams and users: team aliases for labels and the budget gauges. Null in unit tests.</summary>
    public Accounts? Accounts { get; set; }

    /// <summary>The limits shared through Redis: its fallbacks and breaker. Null without Redis.</summary>
    public Shared.SharedLimits? SharedLimits { get; set; }
    public Cache.ResponseCache? Cache { get; set; }
    /// <summary>The callback destinations: their drops and queues. Null without callbacks.</summary>
    public Callbacks.CallbackDispatcher? Callbacks { get; set; }

    /// <summary>The otel callback's span export: failures and drops. Null without it.</summary>
    public Otel.OtelExportHealth? OtelExport { get; set; }

    /// <summary>The spend writer: its queue and refusals. Null in unit tests.</summary>
    public Storage.SpendWriter? SpendWriter { get; set; }

    /// <summary>Creates the series for <paramref name="config"/>'s deployments (existing ones keep their counts).</summary>
    public void Load(GatewayConfig config)
    {
        var map = new Dictionary<Deployment, DeploymentSeries>(ReferenceEqualityComparer.Instance);
        // A wildcard entry gets series per name it serves, as requests name them (see For).
        foreach (var deployment in config.Deployments.Where(d => !d.IsWildcard))
            map[deployment] = _all.GetOrAdd((deployment.ModelName, deployment.Id), static (_, s) => new DeploymentSeries(s.Deployment, s.Labels), (Deployment: deployment, Labels: _labels));
        Volatile.Write(ref _byDeployment, map.ToFrozenDictionary(ReferenceEqualityComparer.Instance));
    }

    /// <summary>The series of <paramref name="deployment"/>; after a reload, an in-flight request's old deployment is found by name.</summary>
    public DeploymentSeries? For(Deployment deployment)
    {
        if (Volatile.Read(ref _byDeployment).TryGetValue(deployment, out var series))
            return series;
        if (_all.TryGetValue((deployment.ModelName, deployment.Id), out series))
            return series;
        // A name a wildcard served: its own series, up to a bound on names clients can invent.
        return deployment.Pattern is not null && _all.Count < MaxWildcardSeries
            ? _all.GetOrAdd((deployment.ModelName, deployment.Id), static (_, s) => new DeploymentSeries(s.Deployment, s.Labels), (Deployment: deployment, Labels: _labels))
            : null;
    }

    public IEnumerable<DeploymentSeries> Series => _all.Values.OrderBy(s => s.ModelGroup, StringComparer.Ordinal).ThenBy(s => s.DeploymentId, StringComparer.Ordinal);

    public long InFlightRequests => Interlocked.Read(ref _inFlightRequests);
    public long InFlightStreams => Interlocked.Read(ref _inFlightStreams);
    public long RateLimitRefusals => Interlocked.Read(ref _rateLimitRefusals);
    public long BudgetRefusals => Interlocked.Read(ref _budgetRefusals);

    public void RequestStarted() => Interlocked.Increment(ref _inFlightRequests);
    public void RequestEnded() => Interlocked.Decrement(ref _inFlightRequests);
    public void StreamStarted() => Interlocked.Increment(ref _inFlightStreams);
    public void StreamEnded() => Interlocked.Decrement(ref _inFlightStreams);
    public void RateLimitRefused() => Interlocked.Increment(ref _rateLimitRefusals);
    public void BudgetRefused() => Interlocked.Increment(ref _budgetRefusals);

    // Once per (deployment, key): the hash is computed here, never the key itself.
    private CallerLabels LabelsOf(Caller caller)
    {
        if (caller.Key?.Settings is not { } key)
            return caller.Kind == CallerKind.Anonymous ? CallerLabels.None : CallerLabels.None with { HashedKey = caller.Token };
        var teamAlias = Accounts?.TeamOf(key)?.Settings.TeamAlias;
        return new CallerLabels(key.TokenHex, key.KeyAlias, key.TeamId, teamAlias, key.UserId);
    }
}
