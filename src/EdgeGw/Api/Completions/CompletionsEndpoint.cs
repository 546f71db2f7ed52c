using System.Runtime.CompilerServices;
using EdgeGw.Buffers;
using EdgeGw.Json;
using EdgeGw.Providers;
using EdgeGw.Providers.OpenAi;
using EdgeGw.Routing;
using EdgeGw.Spend;

namespace EdgeGw.Api.Completions;

/// <summary>
/// <c>POST /v1/completions</c>, the legacy text-completions API, on any model:
/// <code>
///   auth (dispatcher) → read body → resolve model group
///     → <see cref="ModelRequestPipeline"/> (allowlist, budgets, limits, deployment; call_type atext_completion)
///     → OpenAI-format deployment serving /completions: the client's body, model id spliced, answer relayed
///     → any other: prompt as one user message through the canonical chat request, answered as text_completion
/// </code>
/// </summary>
internal static class CompletionsEndpoint
{
    /// <summary>LiteLLM's <c>call_type</c> for the endpoint's spend rows.</summary>
    public const string CallType = "atext_completion";

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public static async ValueTask HandleAsync(HttpContext context, GatewayState state)
    {
        using var body = await ModelRequestBody.ReadAsync(context, state, ErrorWriter.WriteOpenAiAsync);
        if (!body.IsRead)
            return;
        var error = Resolve(body.Bytes.WrittenSpan, state.Models, out var request, out var group);
        if (error is not null)
        {
            await ErrorWriter.WriteOpenAiAsync(context, error);
            return;
        }
        var cache = Cache.CacheRequest.For(state.Cache, body.Options.Cache, Config.CacheCallTypes.TextCompletion,
            Cache.CacheFormat.TextCompletion, body.Bytes.WrittenSpan, group!.Name);
        if (request.Stream)
            cache = cache?.Streamed(request.ClientWantsUsage);
        await ModelRequestPipeline.RunAsync(context, state, group!, request.Estimate(body.Bytes.WrittenSpan.Length), body.Options,
            (Context: context, Body: body.Bytes.WrittenMemory, Request: request),
            static (s, group, endpoint, accounting, ct) => AttemptAsync(s.Context, s.Body, s.Request, group, endpoint, accounting, ct),
            ErrorWriter.WriteOpenAiAsync, cache: cache,
            prompt: new(body.Bytes.WrittenMemory, Observability.Callbacks.PromptKind.CompletionPrompt), callType: CallType);
    }

    private static GatewayError? Resolve(ReadOnlySpan<byte> body, ModelRegistry models, out ChatRequest request, out ModelGroup? group)
    {
        group = null;
        Span<char> name = stackalloc char[ChatRequestParser.MaxModelNameChars];
        var error = ChatRequestParser.Parse(body, out request, name, out var nameLength, requiresMessages: false);
        if (error is not null)
            return error;
        if (!models.TryFind(name[..nameLength], out var found))
            return ChatCompletionsEndpoint.UnknownModel(name[..nameLength].ToString());
        group = found;
        return null;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<ProviderResult> AttemptAsync(HttpContext context, ReadOnlyMemory<byte> body, ChatRequest request, ModelGroup group,
        ChatEndpoint endpoint, RequestAccounting accounting, CancellationToken cancellationToken)
    {
        if (endpoint is OpenAiChatEndpoint openAi && openAi.ServesCompletions)
            return await openAi.CompletionsAsync(new ChatCall(context, body, request, group) { Accounting = accounting }, cancellationToken);

        using var canonical = new PooledBufferWriter(body.Length + 128);
        var error = JsonText.InvalidTextError(body.Span)
            ?? CompletionsRequestTranslator.Translate(body.Span, canonical)
            ?? Parse(canonical.WrittenSpan, out request);
        if (error is not null)
            return ProviderResult.Failed(error);
        var call = new ChatCall(context, canonical.WrittenMemory, request, group)
        {
            Format = ClientFormat.TextCompletion,
            Accounting = accounting,
        };
        return await endpoint.ChatAsync(call, cancellationToken);
    }

    private static GatewayError? Parse(ReadOnlySpan<byte> body, out ChatRequest request)
    {
        Span<char> name = stackalloc char[ChatRequestParser.MaxModelNameChars];
        return ChatRequestParser.Parse(body, out request, name, out _);
    }
}
