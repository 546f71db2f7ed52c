using System.Diagnostics;

namespace EdgeGw.Observability.Otel;

/// <summary>
/// A span for one of the gateway's own stages (auth, limits, spend) under the request span. Default
/// (no span, no work) unless the otel callback listens; ending it puts back the span that was current,
/// so the attempt span an adapter runs under stays <see cref="Activity.Current"/> after a stage inside it.
/// </summary>
internal readonly struct StageSpan : IDisposable
{
    private readonly Activity? _previous;
    private readonly DeferredTrace? _trace;
    private readonly int _slot;

    private StageSpan(Activity? span, Activity? previous)
    {
        Span = span;
        _previous = previous;
    }

    private StageSpan(DeferredTrace trace, int slot)
    {
        _trace = trace;
        _slot = slot;
    }

    public Activity? Span { get; }

    public static StageSpan Start(HttpContext http, string name) =>
        GatewayActivity.Source.HasListeners() && RequestTelemetry.Of(http) is { } telemetry ? Start(telemetry, name) : default;

    public static StageSpan Start(RequestTelemetry telemetry, string name) =>
        telemetry.Trace is { } trace ? new(trace, trace.OpenStage(name)) : Start(telemetry.Span, name);

    public static StageSpan Start(Activity? request, string name)
    {
        if (request is null)
            return default;
        var previous = Activity.Current;
        var span = GatewayActivity.Source.StartActivity(name, ActivityKind.Internal, request.Context);
        span?.SetTag("service", name); // LiteLLM's service spans carry their service name
        return new(span, previous);
    }

    /// <summary>The stage refused the request (status ERROR with a reason that never carries a key).</summary>
    public void Refuse(string reason)
    {
        _trace?.Close(_slot, reason);
        Span?.SetStatus(ActivityStatusCode.Error, reason);
        Dispose();
    }

    /// <summary>LiteLLM's <c>gen_ai.cost.total_cost</c> on the spend stage.</summary>
    public void Cost(long costNanos)
    {
        _trace?.Cost(_slot, costNanos);
        GenAiSpans.Cost(Span, costNanos);
    }

    public void Dispose()
    {
        _trace?.Close(_slot, null);
        if (Span is null || Span.IsStopped)
            return;
        Span.Dispose();
        Activity.Current = _previous;
    }
}
