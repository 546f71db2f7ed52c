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
        if (!TryGet(out var parent, out var state))
            return;
        var headers = message.Headers;
        headers.Remove("traceparent");
        headers.TryAddWithoutValidation("traceparent", parent);
        if (state is not null)
        {
            headers.Remove("tracestate");
            headers.TryAddWithoutValidation("tracestate", state);
        }
    }

    /// <summary>The attempt span's <c>traceparent</c> and <c>tracestate</c> (null when empty), when there is one.</summary>
    public static bool TryGet(out string parent, out string? state)
    {
        if (Activity.Current is not { Source.Name: GatewayActivity.SourceName, IdFormat: ActivityIdFormat.W3C } span || span.Id is not { } id)
        {
            parent = "";
            state = null;
            return false;
        }
        parent = id;
        state = span.TraceStateString is { Length: > 0 } s ? s : null;
        return true;
    }
}
