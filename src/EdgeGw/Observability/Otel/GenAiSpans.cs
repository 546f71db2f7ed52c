using System.Diagnostics;
using EdgeGw.Config;

namespace EdgeGw.Observability.Otel;

/// <summary>
/// The request span's GenAI children: one per routing attempt (a retry or fallback ends the previous
/// one as failed), tagged per the OpenTelemetry GenAI semantic conventions. Only called with a live request span.
/// </summary>
internal static class GenAiSpans
{
    public static Activity? StartAttempt(Activity request, Activity? previous, string modelGroup, Deployment deployment)
    {
        if (previous is not null)
        {
            previous.SetStatus(ActivityStatusCode.Error, "retried on another attempt");
            previous.Dispose();
        }
        request.SetTag("gen_ai.request.model", modelGroup);
        var attempt = GatewayActivity.Source.StartActivity($"chat {deployment.ModelId}", ActivityKind.Client, request.Context);
        if (attempt is null)
            return null;
        attempt.SetTag("gen_ai.operation.name", "chat");
        attempt.SetTag("gen_ai.system", deployment.Provider);
        attempt.SetTag("gen_ai.request.model", deployment.ModelId);
        attempt.SetTag("litellm.model_group", modelGroup);
        attempt.SetTag("litellm.model_id", deployment.Id);
        return attempt;
    }

    public static void Abandon(Activity attempt)
    {
        attempt.SetStatus(ActivityStatusCode.Error, "ended without an answer");
        attempt.Dispose();
    }

    /// <summary>The first byte of the answer went to the client: time to first token for a stream.</summary>
    public static void FirstToken(Activity? attempt) => attempt?.AddEvent(new ActivityEvent("gen_ai.first_token"));

    public static void End(Activity request, Activity? attempt, int status, long promptTokens, long completionTokens)
    {
        foreach (var span in (ReadOnlySpan<Activity?>)[attempt, request])
        {
            if (span is null)
                continue;
            span.SetTag("gen_ai.usage.input_tokens", promptTokens);
            span.SetTag("gen_ai.usage.output_tokens", completionTokens);
            if (status >= 400)
                span.SetStatus(ActivityStatusCode.Error);
        }
        if (attempt is not null)
        {
            attempt.SetTag("http.response.status_code", status);
            attempt.Dispose();
        }
    }
}
