using System.Diagnostics;
using EdgeGw.Auth;
using EdgeGw.Config;

namespace EdgeGw.Observability.Otel;

/// <summary>
/// The request span's GenAI children: one per routing attempt (a retry or fallback ends the previous
/// one as failed), tagged per the OpenTelemetry GenAI semantic conventions and with the attribute
/// names LiteLLM's otel callback sets on its <c>litellm_request</c> span. Only called with a live request span.
/// </summary>
internal static class GenAiSpans
{
    public static Activity? StartAttempt(Activity request, Activity? previous, string modelGroup, Deployment deployment, Caller caller)
    {
        if (previous is not null)
        {
            previous.SetStatus(ActivityStatusCode.Error, "retried on another attempt");
            previous.Dispose();
        }
        request.SetTag("gen_ai.request.model", modelGroup);
        var (operation, callType) = Operation(request.GetTagItem("url.path") as string);
        var attempt = GatewayActivity.Source.StartActivity($"{operation} {deployment.ModelId}", ActivityKind.Client, request.Context);
        if (attempt is null)
            return null;
        Tag(attempt, operation, callType, modelGroup, deployment, caller);
        return attempt;
    }

    /// <summary>The attempt's attributes known as it starts (shared with <see cref="DeferredSpanBuilder"/>).</summary>
    public static void Tag(Activity attempt, string operation, string callType, string modelGroup, Deployment deployment, Caller caller)
    {
        attempt.SetTag("gen_ai.operation.name", operation);
        attempt.SetTag("llm.request.type", callType);
        attempt.SetTag("gen_ai.system", deployment.Provider);
        attempt.SetTag("gen_ai.request.model", deployment.ModelId);
        attempt.SetTag("litellm.model_group", modelGroup);
        attempt.SetTag("litellm.model_id", deployment.Id);
        // LiteLLM's StandardLoggingPayload metadata, as its callback flattens it: the key's hash, never the key.
        if (caller.Kind != CallerKind.Anonymous)
            attempt.SetTag("metadata.user_api_key_hash", caller.Token);
        if (caller.Key?.Settings is { } key)
        {
            attempt.SetTag("metadata.user_api_key_alias", key.KeyAlias);
            attempt.SetTag("metadata.user_api_key_team_id", key.TeamId);
            attempt.SetTag("metadata.user_api_key_user_id", key.UserId);
        }
    }

    /// <summary>gen_ai.operation.name and LiteLLM's call_type (<c>llm.request.type</c>) of the route.</summary>
    public static (string Operation, string CallType) Operation(string? path) => path switch
    {
        "/v1/embeddings" or "/embeddings" => ("embeddings", "aembedding"),
        "/v1/messages" => ("chat", "anthropic_messages"),
        "/v1/messages/count_tokens" => ("count_tokens", "count_tokens"),
        _ => ("chat", "acompletion"),
    };

    public static void Abandon(Activity attempt)
    {
        attempt.SetStatus(ActivityStatusCode.Error, "ended without an answer");
        attempt.Dispose();
    }

    /// <summary>The first byte of the answer went to the client: time to first token for a stream.</summary>
    public static void FirstToken(Activity? attempt) => attempt?.AddEvent(new ActivityEvent("gen_ai.first_token"));

    /// <summary>LiteLLM's <c>gen_ai.cost.total_cost</c> (its cost breakdown, in dollars).</summary>
    public static void Cost(Activity? span, long costNanos) => span?.SetTag("gen_ai.cost.total_cost", (double)Spend.Money.ToDollars(costNanos));

    public static void End(Activity request, Activity? attempt, int status, long promptTokens, long completionTokens, long costNanos, bool stream)
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
            EndTags(attempt, status, promptTokens, completionTokens, costNanos, stream, tokensAndStatus: false);
            attempt.Dispose();
        }
    }

    /// <summary>What the attempt's accounting knows as it ends it.</summary>
    public static void EndTags(Activity attempt, int status, long promptTokens, long completionTokens, long costNanos, bool stream, bool tokensAndStatus = true)
    {
        if (tokensAndStatus)
        {
            attempt.SetTag("gen_ai.usage.input_tokens", promptTokens);
            attempt.SetTag("gen_ai.usage.output_tokens", completionTokens);
            if (status >= 400)
                attempt.SetStatus(ActivityStatusCode.Error);
        }
        attempt.SetTag("gen_ai.usage.total_tokens", promptTokens + completionTokens);
        // An answer that did not name its model (translated formats) was made by the model asked for.
        if (attempt.GetTagItem("gen_ai.response.model") is null)
            attempt.SetTag("gen_ai.response.model", attempt.GetTagItem("gen_ai.request.model"));
        Cost(attempt, costNanos);
        attempt.SetTag("llm.is_streaming", stream ? "True" : "False"); // LiteLLM writes Python's str(bool)
        attempt.SetTag("http.response.status_code", status);
    }
}
