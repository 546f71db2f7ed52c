using System.Runtime.CompilerServices;
using EdgeGw.Buffers;
using EdgeGw.Providers;
using EdgeGw.Routing;
using EdgeGw.Spend;
using EdgeGw.Json;

namespace EdgeGw.Api.Messages;

/// <summary>
/// <c>POST /v1/messages</c>: Anthropic-format clients on any model.
/// <code>
///   auth (dispatcher, Anthropic envelope) → read body → resolve model group
///     → <see cref="ModelRequestPipeline"/> (allowlist, budgets, limits, deployment)
///     → translate to the canonical OpenAI request for that deployment's provider
///     → provider adapter, which answers in Anthropic's format
/// </code>
/// <c>anthropic/</c> deployments get the client's own body (model id substituted) via <see cref="ChatCall.AnthropicBody"/>.
/// </summary>
internal static class MessagesEndpoint
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public static async ValueTask HandleAsync(HttpContext context, GatewayState state)
    {
        using var body = await ModelRequestBody.ReadAsync(context, state, AnthropicErrors.WriteAsync, anthropicMetadata: true);
        if (!body.IsRead)
            return;
        var error = Resolve(body.Bytes.WrittenSpan, state, out var estimate, out var group, out var stream);
        if (error is not null)
        {
            await AnthropicErrors.WriteAsync(context, error);
            return;
        }
        var cache = Cache.CacheRequest.For(state.Cache, body.Options.Cache, Config.CacheCallTypes.Messages,
            Cache.CacheFormat.AnthropicMessage, body.Bytes.WrittenSpan, group!.Name);
        if (stream)
            cache = cache?.Streamed(wantsUsage: true); // an Anthropic stream always carries its usage
        await ModelRequestPipeline.RunAsync(context, state, group!, estimate, body.Options,
            (Context: context, Body: body.Bytes.WrittenMemory, body.Options.DisableFallbacks),
            static (s, group, endpoint, accounting, ct) => AttemptAsync(s.Context, s.Body, group, endpoint, accounting,
                FallbackChain.TakesFilteredAnswers(s.DisableFallbacks, group), ct),
            AnthropicErrors.WriteAsync, cache: cache,
            prompt: new(body.Bytes.WrittenMemory, Observability.Callbacks.PromptKind.AnthropicMessages));
    }

    /// <summary>
    /// The Messages body has model and messages where the chat parser expects them: one pass finds
    /// the model and the prompt size (and rejects malformed JSON) before any translation work.
    /// </summary>
    private static GatewayError? Resolve(ReadOnlySpan<byte> anthropicBody, GatewayState state, out Limits.RequestEstimate estimate, out Routing.ModelGroup? group,
        out bool stream)
    {
        group = null;
        Span<char> name = stackalloc char[ChatRequestParser.MaxModelNameChars];
        var error = ChatRequestParser.Parse(anthropicBody, out var request, name, out var nameLength);
        estimate = request.Estimate(anthropicBody.Length);
        stream = request.Stream;
        if (error is not null)
            return error;
        if (!state.Models.TryFind(name[..nameLength], out var found))
            return ChatCompletionsEndpoint.UnknownModel(name[..nameLength].ToString());
        group = found;
        return null;
    }

    /// <summary>Translates for the chosen deployment's provider (only it knows, e.g., whether top_k exists) and calls it.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<ProviderResult> AttemptAsync(HttpContext context, ReadOnlyMemory<byte> anthropicBody, Routing.ModelGroup group,
        ChatEndpoint endpoint, RequestAccounting accounting, bool filteredAnswerFallsBack, CancellationToken cancellationToken)
    {
        // An anthropic/ deployment gets the client's own body: translating it too would only hold another copy of the prompt.
        var passThrough = endpoint is Providers.Anthropic.AnthropicChatEndpoint;
        using var canonical = new PooledBufferWriter(passThrough ? 0 : anthropicBody.Length + 512);
        var kind = ProviderCatalog.Find(endpoint.Deployment.Provider)!.Kind;
        var request = default(ChatRequest);
        var error = JsonText.InvalidTextError(anthropicBody.Span) ?? (passThrough
            ? Parse(anthropicBody.Span, out request)
            : MessagesRequestTranslator.Translate(anthropicBody.Span, canonical, supportsTopK: kind is ProviderKind.Anthropic or ProviderKind.Gemini or ProviderKind.Vertex or ProviderKind.Ollama)
                ?? Parse(canonical.WrittenSpan, out request));
        if (error is not null)
            return ProviderResult.Failed(error);
        var call = new ChatCall(context, passThrough ? anthropicBody : canonical.WrittenMemory, request, group)
        {
            Format = ClientFormat.Anthropic,
            AnthropicBody = anthropicBody,
            Accounting = accounting,
            FilteredAnswerFallsBack = filteredAnswerFallsBack && !request.Stream,
        };
        return await endpoint.ChatAsync(call, cancellationToken);
    }

    private static GatewayError? Parse(ReadOnlySpan<byte> body, out ChatRequest request)
    {
        Span<char> name = stackalloc char[ChatRequestParser.MaxModelNameChars];
        return ChatRequestParser.Parse(body, out request, name, out _);
    }
}
