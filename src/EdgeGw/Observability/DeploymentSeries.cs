using System.Collections.Concurrent;
using EdgeGw.Auth;
using EdgeGw.Config;

namespace EdgeGw.Observability;

/// <summary>
/// One (model group, deployment) pair: its <c>litellm_deployment_state</c> and the series of each
/// key that used it. Created when a config is loaded and kept across reloads; a key's series is
/// created on its first request there and found by reference afterwards, so recording allocates nothing.
/// </summary>
internal sealed class DeploymentSeries
{
    private readonly ConcurrentDictionary<object, CallerSeries> _callers = new();
    private readonly Func<Caller, CallerLabels> _labels;
    private CallerSeries? _last;
    private int _state;

    public DeploymentSeries(Deployment deployment, Func<Caller, CallerLabels> labels)
    {
        _labels = labels;
        ModelGroup = deployment.ModelName;
        DeploymentId = deployment.Id;
        Provider = deployment.Provider;
        ModelId = deployment.ModelId;
        ApiBase = deployment.ApiBase ?? Providers.ProviderCatalog.Find(deployment.Provider)?.DefaultApiBase;
        StateLabels = $"litellm_model_name=\"{CallerSeries.Escape(ModelId)}\",model_id=\"{CallerSeries.Escape(DeploymentId)}\",api_base=\"{CallerSeries.Escape(ApiBase)}\",api_provider=\"{CallerSeries.Escape(Provider)}\"";
    }

    public string ModelGroup { get; }
    public string DeploymentId { get; }
    public string Provider { get; }
    public string ModelId { get; }
    public string? ApiBase { get; }
    /// <summary>LiteLLM's label set for <c>litellm_deployment_state</c>.</summary>
    public string StateLabels { get; }

    /// <summary>LiteLLM's values: 0 healthy, 1 partial outage, 2 complete outage (last answer failed upstream).</summary>
    public int State => Volatile.Read(ref _state);

    public IEnumerable<CallerSeries> Callers => _callers.Values.OrderBy(c => c.Proxy, StringComparer.Ordinal);

    /// <summary>Records one finished request of <paramref name="caller"/>. Allocation-free once the caller has a series.</summary>
    public void Record(Caller caller, in RequestSample sample)
    {
        var identity = (object?)caller.Key ?? caller.Token;
        // Consecutive requests mostly come from the same key: a reference check instead of hashing it.
        var series = Volatile.Read(ref _last);
        if (series is null || !ReferenceEquals(series.Identity, identity))
        {
            if (!_callers.TryGetValue(identity, out series))
                series = _callers.GetOrAdd(identity, static (id, state) => new CallerSeries(state.Self, state.Self._labels(state.Caller), id), (Self: this, Caller: caller));
            Volatile.Write(ref _last, series);
        }
        series.Record(sample);
        // A 5xx is the deployment's failure (unreachable, timeout, upstream error); 4xx are the caller's.
        Volatile.Write(ref _state, sample.Status >= 500 ? 2 : 0);
    }
}

/// <summary>What one finished request contributes to the metrics; durations in Stopwatch ticks (-1: not measured).</summary>
internal readonly record struct RequestSample(
    int Status, long PromptTokens, long CompletionTokens, long CostNanos, long TotalTicks, long UpstreamTicks, long FirstByteTicks,
    long RemainingRequests = -1, long RemainingTokens = -1);
