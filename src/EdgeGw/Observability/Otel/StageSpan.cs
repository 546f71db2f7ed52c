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

    private StageSpan(Activity? span, Activity? previous)
    {
        Span = span;
        _previous = previous;
    }

    public Activity? Span { get; }

    public static StageSpan Start(HttpContext http, string name) =>
        GatewayActivity.Source.HasListeners() ? Start(RequestTelemetry.Of(http)?.Span, name) : default;

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
        Span?.SetStatus(ActivityStatusCode.Error, reason);
        Dispose();
    }

    public void Dispose()
    {
        if (Span is null || Span.IsStopped)
            return;
        Span.Dispose();
        Activity.Current = _previous;
    }
}
