using EdgeGw.Auth;
using EdgeGw.Json;
using EdgeGw.Providers;
using EdgeGw.Storage;

namespace EdgeGw.Spend;

/// <summary>
/// One model request's bill. The endpoint charges from <see cref="ProviderResult.Usage"/> when the
/// adapter returns — before a chunked response's terminator, so the client cannot see the end of
/// an answer whose spend is not yet counted. A non-streamed answer sent with Content-Length ends
/// with its last byte, so adapters call <see cref="ReportUsage"/> before writing it (which also
/// adds <c>x-litellm-response-cost</c>). Streams send <c>x-litellm-key-spend</c> as it was before
/// the request: their cost is known only at their end.
/// </summary>
internal sealed class RequestAccounting
{
    private readonly SpendLedger _ledger;
    private readonly Caller _caller;
    private readonly HttpContext _http;
    private readonly DateTimeOffset _start;
    private string _modelGroup;
    private long _costNanos;
    private bool _charged;
    private bool _completed;
    private Usage _usage;
    private CounterUpdate[] _counters = [];
    private readonly RequestAttribution? _attribution;

    public RequestAccounting(SpendLedger ledger, Caller caller, HttpContext http, string modelGroup, RequestAttribution? attribution = null)
    {
        _ledger = ledger;
        _caller = caller;
        _http = http;
        _modelGroup = modelGroup;
        _attribution = attribution;
        _start = ledger.Time.GetUtcNow();
        RequestId = Observability.CallId.FromClient(http.Request) ?? Observability.CallId.NewId(_start);
        http.Response.Headers["x-litellm-call-id"] = RequestId;
        http.Response.OnStarting(static state => ((RequestAccounting)state).SetHeaders(), this);
        http.Response.OnCompleted(static state => ((RequestAccounting)state).CompleteIfAbandonedAsync(), this);
    }

    public string RequestId { get; }

    /// <summary>
    /// The group being tried: a fallback group that answers is the row's <c>model_group</c>, as
    /// LiteLLM logs a fallback (a new router call) under its own group. Set before <see cref="Endpoint"/>.
    /// </summary>
    public string ModelGroup
    {
        get => _modelGroup;
        set => _modelGroup = value;
    }

    /// <summary>The deployment that answers; set before the adapter is called.</summary>
    public ChatEndpoint? Endpoint
    {
        get => _endpoint;
        set
        {
            _endpoint = value;
            if (value is not null)
                Observability.RequestTelemetry.Of(_http)?.Begin(_http, RequestId, _caller, _modelGroup, value.Deployment);
        }
    }

    private ChatEndpoint? _endpoint;

    /// <summary>False for a request that costs nothing by nature (count_tokens): it is counted and logged, never billed or given a spend row.</summary>
    public bool WritesSpendRow { get; set; } = true;
    /// <summary>LiteLLM's <c>call_type</c> for the row (<c>acompletion</c>, <c>aresponses</c>…).</summary>
    public string CallType { get; set; } = "acompletion";
    /// <summary>The response-cache key when the cache applies to this request (LiteLLM logs it on misses too); null: "Cache OFF".</summary>
    public string? CacheKey { get; set; }
    /// <summary>The answer came from the response cache: the row says <c>cache_hit</c>.</summary>
    public bool CacheHit { get; set; }

    /// <summary>The prompt and answer for the callbacks; null when none logs them.</summary>
    public Observability.Callbacks.ContentCapture? Content { get; set; }

    /// <summary>The request's hold on its rate limits, settled together with the bill.</summary>
    public Limits.LimitLease? Lease { get; set; }

    /// <summary>The attempt's budget reservation: released right after the charge, or when the request ends unbilled.</summary>
    public ref BudgetHold Budget => ref _budget;

    private BudgetHold _budget;

    /// <summary>Charges now, before the body is written, so the response can carry its cost.</summary>
    public void ReportUsage(in Usage usage)
    {
        Lease?.Complete(usage, failedBeforeAnswer: false);
        Charge(usage);
        // Logged and counted now too: the client may have the whole answer before the adapter returns.
        if (_charged)
            Observability.RequestTelemetry.Of(_http)?.Complete(null, _usage.PromptTokens, _usage.CompletionTokens, _costNanos);
    }

    private Task SetHeaders()
    {
        Observability.RequestTelemetry.Of(_http)?.ResponseStarting(_http.Response);
        Observability.LatencyHeaders.Write(_http);
        var headers = _http.Response.Headers;
        if (_charged)
            headers["x-litellm-response-cost"] = BudgetError.Format(_costNanos);
        if (_caller.Key is { } key)
            headers["x-litellm-key-spend"] = BudgetError.Format(key.Spend.Nanos);
        return Task.CompletedTask;
    }

    private void Charge(in Usage usage)
    {
        if (_charged || Endpoint is null)
            return;
        using var stage = Observability.Otel.StageSpan.Start(_http, "spend");
        _charged = true;
        _usage = usage;
        _costNanos = Money.ToNanos(CostCalculator.Cost(Endpoint.Deployment, usage));
        _counters = _ledger.Charge(_caller, _costNanos);
        _budget.Charged(_costNanos);
        _budget.Release();
        stage.Cost(_costNanos);
    }

    /// <summary>The error of a request whose client left before an upstream call was made for it.</summary>
    public static readonly Api.GatewayError ClientLeft =
        new(499, "The client disconnected (or the gateway shut down) before the answer was complete.", "aborted", "499");

    /// <summary>
    /// An adapter whose client left while its answer was written, or cancelled by the end of a
    /// graceful shutdown's drain, throws instead of returning: an answer already charged still gets
    /// its billed row (marked as the client's disconnect), anything else a failure row.
    /// </summary>
    private Task CompleteIfAbandonedAsync()
    {
        if (_completed)
            return Task.CompletedTask;
        if (_charged)
            return CompleteAsync(new ProviderResult(null, true, _usage) { ClientGone = Streaming.ClientGone.Disconnected }).AsTask();
        var error = _http.RequestAborted.IsCancellationRequested ? ClientLeft : Api.GatewayError.Internal("The request ended without a result.");
        return CompleteAsync(ProviderResult.Failed(error)).AsTask();
    }

    /// <summary>Bills a finished attempt (failures cost 0) and hands its row to the spend writer.</summary>
    public ValueTask CompleteAsync(ProviderResult result)
    {
        if (_completed)
            return ValueTask.CompletedTask;
        _completed = true;
        var success = result.Error is null;
        if (!WritesSpendRow)
        {
            // Unbilled, but its hold still ends here (the Redis copy settles on it).
            _budget.Release();
            Observability.RequestTelemetry.Of(_http)?.Complete(result.Error, 0, 0, 0);
            return ValueTask.CompletedTask;
        }
        if (success)
            Charge(result.Usage);
        _budget.Release();
        var deployment = Endpoint?.Deployment;
        var key = _caller.Key?.Settings;
        var usage = _charged ? _usage : result.Usage;
        var row = new SpendRow
        {
            RequestId = RequestId,
            CallType = CallType,
            ApiKey = _caller.Token,
            SpendNanos = _charged ? _costNanos : 0,
            PromptTokens = usage.PromptTokens,
            CompletionTokens = usage.CompletionTokens,
            StartTime = _start,
            EndTime = _ledger.Time.GetUtcNow(),
            Model = deployment?.ModelId ?? _modelGroup,
            ModelGroup = _modelGroup,
            ModelId = deployment?.Id ?? "",
            ApiBase = deployment?.ApiBase ?? "",
            Provider = deployment?.Provider,
            User = key?.UserId,
            TeamId = key?.TeamId,
            EndUser = _attribution?.EndUser,
            Status = success ? "success" : "failure",
            UsageEstimated = success && usage.Estimated,
            ClientGone = result.ClientGone,
            Key = key,
            Team = key is null ? null : _ledger.Accounts.TeamOf(key)?.Settings,
            Attribution = _attribution,
            CacheHit = CacheHit,
            CacheKey = CacheKey,
            StoresRow = _ledger.WritesRows,
            Counters = _counters,
        };
        var telemetry = Observability.RequestTelemetry.Of(_http);
        _ledger.Callbacks?.Publish(row, result.Error, telemetry?.SinceStreamStarted, Content?.Finish(_http, result));
        telemetry?.Complete(result.Error, usage.PromptTokens, usage.CompletionTokens, row.SpendNanos);
        return _ledger.Writer.EnqueueAsync(row);
    }
}
