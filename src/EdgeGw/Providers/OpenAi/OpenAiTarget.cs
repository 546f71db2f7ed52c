namespace EdgeGw.Providers.OpenAi;

/// <summary>
/// Where and how an OpenAI-format chat request is sent: what differs between api.openai.com and
/// services that speak the same format behind another URL scheme and key header (Azure).
/// </summary>
/// <param name="ChatUri">The full chat-completions URI, query included.</param>
/// <param name="EmbeddingsUri">The full embeddings URI, query included.</param>
/// <param name="AuthHeader">The header that carries the key (<c>Authorization</c>, <c>api-key</c>).</param>
/// <param name="AuthValue">Its value, or null to send none.</param>
/// <param name="SpliceModelId">Replace the client's <c>model</c> with the deployment's model id (false when the URI selects the model).</param>
/// <param name="RequestStreamUsage">Add <c>stream_options.include_usage</c> to streams whose client did not (false where the upstream rejects it).</param>
/// <param name="ResponsesUri">The upstream's Responses API (OpenAI, Azure), or null where <c>/v1/responses</c> is bridged through chat.</param>
internal sealed record OpenAiTarget(Uri ChatUri, Uri EmbeddingsUri, string AuthHeader, string? AuthValue, bool SpliceModelId, bool RequestStreamUsage,
    Uri? ResponsesUri = null);
