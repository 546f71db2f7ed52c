using EdgeGw.Buffers;
using EdgeGw.Providers;

namespace EdgeGw.Api.Messages;

/// <summary>
/// <c>POST /v1/messages</c>: Anthropic-format clients on any model.
/// <code>
///   auth (dispatcher, Anthropic envelope) → read body → resolve model group → pick deployment
///     → translate to the canonical OpenAI request → provider adapter (answers in Anthropic's format)
/// </code>
/// <c>anthropic/</c> deployments get the client's own body (model id substituted) via <see cref="ChatCall.AnthropicBody"/>.
/// </summary>
internal static class MessagesEndpoint
{
    public static async Task HandleAsync(HttpContext context, GatewayState state)
    {
        var (body, readError) = await RequestBodyReader.ReadAsync(context, state.Config.General.MaxRequestSizeBytes);
        if (readError is not null)
        {
            await AnthropicErrors.WriteAsync(context, readError);
            return;
        }
        using (body)
        {
            using var canonical = new PooledBufferWriter(body!.WrittenCount + 512);
            var error = Prepare(body.WrittenSpan, state, canonical, out var request, out var group, out var endpoint);
            if (error is not null)
            {
                await AnthropicErrors.WriteAsync(context, error);
                return;
            }
            error = ModelRequestGuard.Admit(context, state, group!, out var caller);
            if (error is not null)
            {
                await AnthropicErrors.WriteAsync(context, error);
                return;
            }
            var accounting = ModelRequestGuard.Begin(context, state, caller, group!, endpoint!);
            var call = new ChatCall(context, canonical.WrittenMemory, request, group!)
            {
                Format = ClientFormat.Anthropic,
                AnthropicBody = body.WrittenMemory,
                Accounting = accounting,
            };
            var result = await endpoint!.ChatAsync(call, context.RequestAborted);
            await accounting.CompleteAsync(result);
            if (result.Error is not null && !result.ResponseStarted && !context.RequestAborted.IsCancellationRequested)
                await AnthropicErrors.WriteAsync(context, result.Error);
        }
    }

    private static GatewayError? Prepare(ReadOnlySpan<byte> anthropicBody, GatewayState state, PooledBufferWriter canonical,
        out ChatRequest request, out Routing.ModelGroup? group, out ChatEndpoint? endpoint)
    {
        request = default;
        group = null;
        endpoint = null;
        // The Messages body has model and messages where the chat parser expects them: it finds
        // the model (and rejects malformed JSON) before any translation work.
        Span<char> name = stackalloc char[ChatRequestParser.MaxModelNameChars];
        var error = ChatRequestParser.Parse(anthropicBody, out _, name, out var nameLength);
        if (error is not null)
            return error;
        if (!state.Models.TryFind(name[..nameLength], out var found))
            return ChatCompletionsEndpoint.UnknownModel(name[..nameLength].ToString());
        group = found;
        endpoint = found.Pick();
        var kind = ProviderCatalog.Find(endpoint.Deployment.Provider)!.Kind;
        error = MessagesRequestTranslator.Translate(anthropicBody, canonical, supportsTopK: kind is ProviderKind.Anthropic or ProviderKind.Gemini);
        if (error is not null)
            return error;
        return ChatRequestParser.Parse(canonical.WrittenSpan, out request, name, out _);
    }
}
