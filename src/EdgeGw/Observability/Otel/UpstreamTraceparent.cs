using System.Diagnostics;

namespace EdgeGw.Observability.Otel;

/// <summary>
/// LiteLLM's <c>forward_traceparent_to_llm_provider</c>, done by hand because the binary turns off
/// HttpClient's own propagation (System.Net.Http.EnableActivityPropagation): the provider's span
/// becomes a child of the attempt span (LiteLLM forwards the client's header, making it a sibling).
/// </summary>
internal static class UpstreamTraceparent
{
    /// <summary>Process-wide like the tracer provider that sets it.</summary>
    public static volatile bool Enabled;

    public static void Inject(HttpRequestMessage message)
    {
        if (Activity.Current is not { Source.Name: GatewayActivity.SourceName, IdFormat: ActivityIdFormat.W3C } span)
            return;
        var headers = message.Headers;
        headers.Remove("traceparent");
        headers.TryAddWithoutValidation("traceparent", span.Id);
        if (span.TraceStateString is { Length: > 0 } state)
        {
            headers.Remove("tracestate");
            headers.TryAddWithoutValidation("tracestate", state);
        }
    }
}
