using EdgeGw.Config;

namespace EdgeGw.Observability;

/// <summary>
/// The counters of one deployment as used by one key (LiteLLM labels its request metrics by
/// <c>hashed_api_key</c>, <c>api_key_alias</c>, <c>team</c>, <c>team_alias</c>, <c>user</c>).
/// Created on a key's first request to the deployment, with every label set preformatted, so
/// recording only touches fields.
/// </summary>
internal sealed class CallerSeries
{
    private readonly long[] _requests = new long[StatusLabels.Codes.Length];
    private long _inputTokens;
    private long _outputTokens;
    private long _spendNanos;
    private long _remainingRequests = -1;
    private long _remainingTokens = -1;

    public CallerSeries(DeploymentSeries deployment, CallerLabels caller, object identity)
    {
        Identity = identity;
        var model = Escape(deployment.ModelId);
        var group = Escape(deployment.ModelGroup);
        var id = Escape(deployment.DeploymentId);
        var key = $"hashed_api_key=\"{Escape(caller.HashedKey)}\",api_key_alias=\"{Escape(caller.KeyAlias)}\",team=\"{Escape(caller.Team)}\",team_alias=\"{Escape(caller.TeamAlias)}\"";
        var llm = $"litellm_model_name=\"{model}\",model_id=\"{id}\",api_base=\"{Escape(deployment.ApiBase)}\",api_provider=\"{Escape(deployment.Provider)}\"";
        var user = Escape(caller.User);
        Proxy = $"{key},requested_model=\"{group}\",user=\"{user}\",model_id=\"{id}\"";
        Model = $"{key},model=\"{model}\",requested_model=\"{group}\",user=\"{user}\",model_id=\"{id}\"";
        Spend = $"{key},model=\"{model}\",user=\"{user}\",model_id=\"{id}\"";
        Deployment = $"requested_model=\"{group}\",{llm},{key}";
        PerToken = $"{llm},{key}";
        Overhead = $"model_group=\"{group}\",api_provider=\"{Escape(deployment.Provider)}\",api_base=\"{Escape(deployment.ApiBase)}\",litellm_model_name=\"{model}\",hashed_api_key=\"{Escape(caller.HashedKey)}\",api_key_alias=\"{Escape(caller.KeyAlias)}\",model_id=\"{id}\"";
        RateLimit = $"model_group=\"{group}\",api_provider=\"{Escape(deployment.Provider)}\",api_base=\"{Escape(deployment.ApiBase)}\",litellm_model_name=\"{model}\",hashed_api_key=\"{Escape(caller.HashedKey)}\",api_key_alias=\"{Escape(caller.KeyAlias)}\"";
        ProviderName = deployment.Provider;
    }

    /// <summary>Labels of <c>litellm_proxy_total_requests_metric</c> / <c>_failed_</c> (without the status).</summary>
    public string Proxy { get; }
    /// <summary>Labels of the token counters and the latency histograms.</summary>
    public string Model { get; }
    /// <summary>Labels of <c>litellm_spend_metric</c>.</summary>
    public string Spend { get; }
    /// <summary>Labels of <c>litellm_deployment_*_responses</c> and <c>_total_requests</c>.</summary>
    public string Deployment { get; }
    /// <summary>Labels of <c>litellm_deployment_latency_per_output_token</c>.</summary>
    public string PerToken { get; }
    /// <summary>Labels of <c>litellm_overhead_latency_metric</c>.</summary>
    public string Overhead { get; }
    /// <summary>Labels of <c>litellm_remaining_requests_metric</c> / <c>_tokens_metric</c>.</summary>
    public string RateLimit { get; }
    public string ProviderName { get; }
    /// <summary>The key account (or master key hash) this series counts.</summary>
    public object Identity { get; }

    public Histogram TotalLatency { get; } = new(Histogram.LatencyBuckets);
    public Histogram LlmLatency { get; } = new(Histogram.LatencyBuckets);
    public Histogram TimeToFirstToken { get; } = new(Histogram.LatencyBuckets);
    public Histogram OverheadLatency { get; } = new(Histogram.LatencyBuckets);
    public Histogram LatencyPerOutputToken { get; } = new(Histogram.DefaultBuckets);
    public Histogram GatewayOverhead { get; } = new(Histogram.OverheadBuckets);

    public long Requests(int slot) => Interlocked.Read(ref _requests[slot]);
    public long InputTokens => Interlocked.Read(ref _inputTokens);
    public long OutputTokens => Interlocked.Read(ref _outputTokens);
    public long SpendNanos => Interlocked.Read(ref _spendNanos);
    /// <summary>The provider's last <c>x-ratelimit-remaining-requests</c>; -1 until one was reported.</summary>
    public long RemainingRequests => Interlocked.Read(ref _remainingRequests);
    /// <summary>The provider's last <c>x-ratelimit-remaining-tokens</c>; -1 until one was reported.</summary>
    public long RemainingTokens => Interlocked.Read(ref _remainingTokens);

    /// <summary>Records one finished request. Allocation-free; called once per model request.</summary>
    public void Record(in RequestSample sample)
    {
        Interlocked.Increment(ref _requests[StatusLabels.SlotOf(sample.Status)]);
        if (sample.PromptTokens != 0)
            Interlocked.Add(ref _inputTokens, sample.PromptTokens);
        if (sample.CompletionTokens != 0)
            Interlocked.Add(ref _outputTokens, sample.CompletionTokens);
        if (sample.CostNanos != 0)
            Interlocked.Add(ref _spendNanos, sample.CostNanos);
        TotalLatency.Record(sample.TotalTicks);
        if (sample.UpstreamTicks >= 0)
        {
            LlmLatency.Record(sample.UpstreamTicks);
            OverheadLatency.Record(sample.TotalTicks - sample.UpstreamTicks);
            GatewayOverhead.Record(sample.TotalTicks - sample.UpstreamTicks);
            if (sample.CompletionTokens > 0 && sample.Status < 400)
                LatencyPerOutputToken.Record(sample.UpstreamTicks / sample.CompletionTokens);
        }
        if (sample.FirstByteTicks >= 0)
            TimeToFirstToken.Record(sample.FirstByteTicks);
        if (sample.RemainingRequests >= 0)
            Interlocked.Exchange(ref _remainingRequests, sample.RemainingRequests);
        if (sample.RemainingTokens >= 0)
            Interlocked.Exchange(ref _remainingTokens, sample.RemainingTokens);
    }

    /// <summary>Prometheus label-value escaping; an absent value is <c>None</c>, as LiteLLM's Python labels it.</summary>
    public static string Escape(string? value) => value is null
        ? "None"
        : value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}

/// <summary>Who a <see cref="CallerSeries"/> counts: only the key's hash, never the key.</summary>
internal sealed record CallerLabels(string? HashedKey, string? KeyAlias, string? Team, string? TeamAlias, string? User)
{
    public static readonly CallerLabels None = new(null, null, null, null, null);
}
