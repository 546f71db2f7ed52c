using System.Diagnostics;
using EdgeGw.Api;
using EdgeGw.Auth;
using EdgeGw.Config;

namespace EdgeGw.Observability;

/// <summary>
/// One request's timings and outcome, kept on the request's features. The dispatcher attaches it
/// on arrival; a model request's accounting fills it in (<see cref="Begin"/>, <see cref="Complete"/>)
/// and it is recorded in the metrics and logged as the adapter's result is billed — before the
/// client sees the end of the answer, so a scrape after a response always counts it (an aborted
/// request is completed by its accounting when the response ends). Times: total from arrival to the end of the handler's work; upstream from the
/// adapter call to its result; gateway overhead is the difference.
/// </summary>
internal sealed class RequestTelemetry
{
    private readonly GatewayTelemetry _owner;
    private readonly long _arrival = Stopwatch.GetTimestamp();
    private DeploymentSeries? _series;
    private Caller? _caller;
    private string _callId = "";
    private string _modelGroup = "";
    private string _deploymentId = "";
    private long _upstreamStart;
    private long _upstreamEnd;
    private long _firstByte;
    private int _status = StatusCodes.Status500InternalServerError;
    private long _promptTokens;
    private long _completionTokens;
    private long _costNanos;
    private long _remainingRequests = -1;
    private long _remainingTokens = -1;
    private bool _began;
    private bool _stream;
    private int _finished;
    private Activity? _attempt;

    private RequestTelemetry(GatewayTelemetry owner) => _owner = owner;

    public static RequestTelemetry Attach(HttpContext context, GatewayTelemetry telemetry)
    {
        var attached = new RequestTelemetry(telemetry);
        context.Features.Set(attached);
        return attached;
    }

    /// <summary>The request's root span when the otel callback is on (null otherwise: no span work at all).</summary>
    public Activity? Span { get; set; }

    /// <summary>The request's spans as data, built later on a worker (otel on without forward_traceparent).</summary>
    public Otel.DeferredTrace? Trace { get; set; }

    public static RequestTelemetry? Of(HttpContext context) => context.Features.Get<RequestTelemetry>();

    /// <summary>The adapter is about to be called.</summary>
    public void Begin(HttpContext context, string callId, Caller caller, string modelGroup, Deployment deployment)
    {
        // A retry or fallback moves the request to another deployment: the log line and the series
        // name the one that answered (or failed last), never the first one tried.
        _modelGroup = modelGroup;
        _deploymentId = deployment.Id;
        _series = _owner.Metrics.For(deployment);
        Trace?.StartAttempt(modelGroup, deployment, caller);
        if (Span is not null)
            _attempt = Otel.GenAiSpans.StartAttempt(Span, _attempt, modelGroup, deployment, caller);
        if (_began)
            return;
        _began = true;
        _upstreamStart = Stopwatch.GetTimestamp();
        _callId = callId;
        _caller = caller;
        _owner.Metrics.RequestStarted();
    }

    /// <summary>The answering provider's own quota left (<c>x-ratelimit-remaining-*</c>; -1: not reported).</summary>
    public void ProviderRemaining(long requests, long tokens)
    {
        _remainingRequests = requests;
        _remainingTokens = tokens;
    }

    /// <summary>For a stream, how long ago its first byte went out (its headers); null for any other answer.</summary>
    public TimeSpan? SinceStreamStarted => _stream && _firstByte != 0 ? Stopwatch.GetElapsedTime(_firstByte) : null;

    /// <summary>Called as the response headers go out (the first byte the client sees).</summary>
    public void ResponseStarting(HttpResponse response)
    {
        if (!_began || _firstByte != 0 || Volatile.Read(ref _finished) != 0)
            return;
        _firstByte = Stopwatch.GetTimestamp();
        Otel.GenAiSpans.FirstToken(_attempt);
        Trace?.FirstToken();
        if (response.ContentType is { } type && type.StartsWith("text/event-stream", StringComparison.Ordinal))
        {
            _stream = true;
            _owner.Metrics.StreamStarted();
        }
    }

    /// <summary>
    /// Stopwatch ticks from arrival to now, and the part of them the gateway spent itself: before
    /// the first upstream call, and after the upstream's answer was read (for a stream, only the former).
    /// </summary>
    public (long Total, long Overhead) Elapsed()
    {
        var now = Stopwatch.GetTimestamp();
        var total = now - _arrival;
        return !_began ? (total, total) : (total, _upstreamStart - _arrival + (_upstreamEnd != 0 ? now - _upstreamEnd : 0));
    }

    /// <summary>The request is over: an attempt its accounting never finished (client gone, handler threw) ends as failed.</summary>
    public void EndSpans(HttpResponse response)
    {
        if (Trace is { } trace)
        {
            // Nothing writes to a record once it is queued: the worker resets and reuses it.
            Trace = null;
            trace.Finish(response.StatusCode);
            return;
        }
        if (Interlocked.Exchange(ref _attempt, null) is { } attempt)
            Otel.GenAiSpans.Abandon(attempt);
        Otel.RequestSpan.End(Span, response);
    }

    /// <summary>The adapter returned: what it cost and how it ended.</summary>
    public void Complete(GatewayError? error, long promptTokens, long completionTokens, long costNanos)
    {
        if (!_began || Volatile.Read(ref _finished) != 0)
            return;
        _upstreamEnd = Stopwatch.GetTimestamp();
        _status = error?.Status ?? StatusCodes.Status200OK;
        _promptTokens = promptTokens;
        _completionTokens = completionTokens;
        _costNanos = costNanos;
        Finish();
    }

    /// <summary>An error answer written by the gateway: counts refusals that happen before any adapter call.</summary>
    public static void OnError(HttpContext context, GatewayError error)
    {
        if (Of(context) is not { _began: false } telemetry)
            return;
        // Budgets are refused with 429 too (LiteLLM's status): tell them apart by type.
        if (string.Equals(error.Type, "budget_exceeded", StringComparison.Ordinal))
            telemetry._owner.Metrics.BudgetRefused();
        else if (error.Status == StatusCodes.Status429TooManyRequests)
            telemetry._owner.Metrics.RateLimitRefused();
    }

    private void Finish()
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0)
            return;
        var metrics = _owner.Metrics;
        metrics.RequestEnded();
        if (_stream)
            metrics.StreamEnded();
        var end = _upstreamEnd != 0 ? _upstreamEnd : Stopwatch.GetTimestamp();
        var total = end - _arrival;
        var upstream = _upstreamEnd != 0 ? _upstreamEnd - _upstreamStart : -1;
        var sample = new RequestSample(_status, _promptTokens, _completionTokens, _costNanos,
            total, upstream, _stream && _firstByte != 0 ? _firstByte - _upstreamStart : -1, _remainingRequests, _remainingTokens);
        _series?.Record(_caller ?? Caller.Anonymous, sample);
        Trace?.EndAttempt(_status, _promptTokens, _completionTokens, _costNanos, _stream);
        if (Span is not null)
            Otel.GenAiSpans.End(Span, Interlocked.Exchange(ref _attempt, null), _status, _promptTokens, _completionTokens, _costNanos, _stream);
        var logger = _owner.RequestLogger;
        if (logger.IsEnabled(LogLevel.Information))
        {
            Span<char> hex = stackalloc char[LogKeyId.HexChars];
            var entry = new RequestLogEntry
            {
                CallId = _callId,
                KeyAlias = _caller?.Key?.Settings.KeyAlias ?? (_caller?.IsMaster == true ? "master" : ""),
                KeyHash = LogKeyId.Format(_caller, hex),
                ModelGroup = _modelGroup,
                DeploymentId = _deploymentId,
                Status = _status,
                PromptTokens = _promptTokens,
                CompletionTokens = _completionTokens,
                Cost = (double)Spend.Money.ToDollars(_costNanos),
                Stream = _stream,
                OverheadMs = Ms(total - Math.Max(upstream, 0)),
                DurationMs = Ms(total),
            };
            if (_owner.ConsoleRequestLogger is { } console)
                console.Write(LogLevel.Information, RequestLog.Event, entry);
            else
                entry.LogTo(logger);
        }
    }

    private static double Ms(long ticks) => Math.Round(ticks * 1000.0 / Stopwatch.Frequency, 3);
}
