using System.Runtime.CompilerServices;
using EdgeGw.Providers;
using EdgeGw.Routing;

namespace EdgeGw.Api;

/// <summary>
/// <c>POST /v1/chat/completions</c>. The request path, one stage per line:
/// <code>
///   auth (dispatcher) → read body (size limit) → parse + validate → resolve model group
///     → <see cref="ModelRequestPipeline"/>: allowlist, budgets, rate limits, deployment, adapter
///     (forward, relay or translate back), spend
/// </code>
/// </summary>
internal static class ChatCompletionsEndpoint
{
    [AsyncMethodBuilder(typeof(Buffers.PooledValueTaskMethodBuilder))]
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
        var cache = Cache.CacheRequest.For(state.Cache, body.Options.Cache, Config.CacheCallTypes.Completion,
            Cache.CacheFormat.OpenAiChat, body.Bytes.WrittenSpan, group!.Name);
        if (request.Stream)
            cache = cache?.Streamed(request.ClientWantsUsage);
        await ModelRequestPipeline.RunAsync(context, state, group!, request.Estimate(body.Bytes.WrittenSpan.Length), body.Options,
            (Context: context, Body: body.Bytes.WrittenMemory, Request: request, body.Options.DisableFallbacks),
            static (s, group, endpoint, accounting, ct) => endpoint.ChatAsync(
                new ChatCall(s.Context, s.Body, s.Request, group)
                {
                    Accounting = accounting,
                    FilteredAnswerFallsBack = !s.Request.Stream && FallbackChain.TakesFilteredAnswers(s.DisableFallbacks, group),
                }, ct),
            ErrorWriter.WriteOpenAiAsync, cache: cache,
            prompt: new(body.Bytes.WrittenMemory, Observability.Callbacks.PromptKind.ChatMessages));
    }

    private static GatewayError? Resolve(ReadOnlySpan<byte> body, ModelRegistry models, out ChatRequest request, out ModelGroup? group)
    {
        group = null;
        Span<char> name = stackalloc char[ChatRequestParser.MaxModelNameChars];
        var error = ChatRequestParser.Parse(body, out request, name, out var nameLength);
        if (error is not null)
            return error;
        if (!models.TryFind(name[..nameLength], out var found))
            return UnknownModel(name[..nameLength].ToString());
        group = found;
        return null;
    }

    public static GatewayError UnknownModel(string model) => GatewayError.BadRequest(
        $"Invalid model name passed in model={model}. Call `/v1/models` to view available models for your key.", "model");
}
