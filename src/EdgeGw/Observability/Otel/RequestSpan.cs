using System.Diagnostics;

namespace EdgeGw.Observability.Otel;

/// <summary>The root span of one request, continuing the client's W3C <c>traceparent</c> when it sends one.</summary>
internal static class RequestSpan
{
    /// <summary>Null (and no header is read) unless the otel callback listens.</summary>
    public static Activity? Start(HttpRequest request, string path)
    {
        if (!GatewayActivity.Source.HasListeners())
            return null;
        ActivityContext parent = default;
        var headers = request.Headers;
        if (headers.TryGetValue("traceparent", out var traceparent)
            && ActivityContext.TryParse(traceparent.ToString(), headers.TryGetValue("tracestate", out var state) ? state.ToString() : null, isRemote: true, out var context))
            parent = context;
        var span = GatewayActivity.Source.StartActivity($"{request.Method} {path}", ActivityKind.Server, parent);
        span?.SetTag("http.request.method", request.Method);
        span?.SetTag("url.path", path);
        return span;
    }

    public static void End(Activity? span, HttpResponse response)
    {
        if (span is null)
            return;
        span.SetTag("http.response.status_code", response.StatusCode);
        if (response.StatusCode >= 500)
            span.SetStatus(ActivityStatusCode.Error);
        span.Dispose();
    }
}
