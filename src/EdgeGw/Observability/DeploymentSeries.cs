using EdgeGw.Config;

namespace EdgeGw.Observability;

/// <summary>HTTP status of a finished model request, as the label <c>status_code</c> groups it.</summary>
internal enum StatusClass : byte { Success = 0, ClientError = 1, ServerError = 2 }

/// <summary>
/// Every counter of one (model group, deployment) pair, created when a config is loaded and kept
/// across reloads, so recording a request only touches fields of an existing object.
/// </summary>
internal sealed class DeploymentSeries
{
    public static readonly string[] StatusLabels = ["2xx", "4xx", "5xx"];

    private readonly long[] _requests = new long[3];
    private long _inputTokens;
    private long _outputTokens;
    private long _spendNanos;
    private int _state;

    public DeploymentSeries(Deployment deployment)
    {
        ModelGroup = deployment.ModelName;
        DeploymentId = deployment.Id;
        Provider = deployment.Provider;
        Model = deployment.Provider + "/" + deployment.ModelId;
        Labels = $"requested_model=\"{Escape(ModelGroup)}\",model_id=\"{Escape(DeploymentId)}\",api_provider=\"{Escape(Provider)}\"";
        DeploymentLabels = $"litellm_model_name=\"{Escape(Model)}\",model_id=\"{Escape(DeploymentId)}\",api_provider=\"{Escape(Provider)}\"";
    }

    public string ModelGroup { get; }
    public string DeploymentId { get; }
    public string Provider { get; }
    public string Model { get; }
    /// <summary>Preformatted label pairs (without braces) for the request metrics.</summary>
    public string Labels { get; }
    /// <summary>LiteLLM's label set for <c>litellm_deployment_state</c>.</summary>
    public string DeploymentLabels { get; }

    public Histogram TotalLatency { get; } = new(Histogram.LatencyBuckets);
    public Histogram LlmLatency { get; } = new(Histogram.LatencyBuckets);
    public Histogram TimeToFirstToken { get; } = new(Histogram.LatencyBuckets);
    public Histogram Overhead { get; } = new(Histogram.OverheadBuckets);

    public long Requests(StatusClass status) => Interlocked.Read(ref _requests[(int)status]);
    public long InputTokens => Interlocked.Read(ref _inputTokens);
    public long OutputTokens => Interlocked.Read(ref _outputTokens);
    public long SpendNanos => Interlocked.Read(ref _spendNanos);
    /// <summary>LiteLLM's values: 0 healthy, 1 partial outage, 2 complete outage (last answer failed upstream).</summary>
    public int State => Volatile.Read(ref _state);

    /// <summary>Records one finished request. Allocation-free; called once per model request.</summary>
    public void Record(in RequestSample sample)
    {
        Interlocked.Increment(ref _requests[(int)sample.Status]);
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
            Overhead.Record(sample.TotalTicks - sample.UpstreamTicks);
        }
        if (sample.FirstByteTicks >= 0)
            TimeToFirstToken.Record(sample.FirstByteTicks);
        // A 5xx is the deployment's failure (unreachable, timeout, upstream error); 4xx are the caller's.
        Volatile.Write(ref _state, sample.Status == StatusClass.ServerError ? 2 : 0);
    }

    public static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}

/// <summary>What one finished request contributes to the metrics; durations in Stopwatch ticks (-1: not measured).</summary>
internal readonly record struct RequestSample(
    StatusClass Status, long PromptTokens, long CompletionTokens, long CostNanos, long TotalTicks, long UpstreamTicks, long FirstByteTicks)
{
    public static StatusClass ClassOf(int status) => status switch
    {
        < 400 => StatusClass.Success,
        < 500 => StatusClass.ClientError,
        _ => StatusClass.ServerError,
    };
}
