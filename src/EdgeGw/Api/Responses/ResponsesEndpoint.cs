using System.Runtime.CompilerServices;
using System.Text;
using EdgeGw.Buffers;
using EdgeGw.Providers;
using EdgeGw.Providers.OpenAi;
using EdgeGw.Spend;

namespace EdgeGw.Api.Responses;

/// <summary>
/// <c>POST /v1/responses</c>: OpenAI Responses API clients on any model.
/// <code>
///   auth (dispatcher) → read body → translate once to the canonical chat request (+ the echo)
///     → resolve model group → <see cref="ModelRequestPipeline"/> (allowlist, budgets, limits, deployment)
///     → OpenAI / Azure deployment: the client's own body to its /responses (model spliced)
///     → any other provider: the canonical request, answered as a Response object / Responses events
/// </code>
/// </summary>
internal static class ResponsesEndpoint
{
    public const string CallType = "aresponses";

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public static async ValueTask HandleAsync(HttpContext context, GatewayState state)
    {
        // metadata is the Responses API's own field (echoed, and OpenAI's to store): kept in the body.
        using var body = await ModelRequestBody.ReadAsync(context, state, ErrorWriter.WriteOpenAiAsync, anthropicMetadata: true);
        if (!body.IsRead)
            return;
        var original = body.Bytes.WrittenMemory;
        var canonical = new PooledBufferWriter(original.Length + 512);
        try
        {
            ResponsesPrepared prepared = default;
            var error = Json.JsonText.InvalidTextError(original.Span) ?? Resolve(original.Span, state, canonical, default, out prepared);
            var options = body.Options;
            if (error is null && prepared.Translation.PreviousResponseId is { } previous)
            {
                var replay = await ConversationReplay.LoadAsync(state.Data.Responses, previous, Auth.Caller.Of(context), context.RequestAborted);
                // The follow-up goes back to the deployment that holds the conversation (its prompt cache, or its stored state).
                if (replay.Latest is { } latest)
                    options = options with { PreferredDeployment = latest.DeploymentId };
                if (replay.Error is { } replayError)
                {
                    // OpenAI may know an id EdgeGw never stored: only the bridge needs the replay.
                    prepared = prepared with { Translation = prepared.Translation with { BridgeError = prepared.Translation.BridgeError ?? replayError } };
                }
                else if (replay.Latest is { IsForwarded: true } forwarded)
                {
                    prepared = prepared with { Translation = prepared.Translation with { BridgeError = prepared.Translation.BridgeError ?? GatewayError.BadRequest(
                        $"Previous response '{previous}' is kept by the OpenAI/Azure deployment that answered it; only a deployment of that kind can continue it.",
                        "previous_response_id") } };
                }
                else if (!replay.ItemsJson.IsEmpty && prepared.Translation.BridgeError is null)
                {
                    canonical.Dispose();
                    canonical = new PooledBufferWriter(original.Length + replay.ItemsJson.Length + 512);
                    error = Resolve(original.Span, state, canonical, replay.ItemsJson, out prepared);
                }
            }
            if (error is not null)
            {
                await ErrorWriter.WriteOpenAiAsync(context, error);
                return;
            }
            var id = ResponseIds.NewResponseId();
            var createdAt = state.Time.GetUtcNow();
            var head = new ResponsesStreamHead(Encoding.UTF8.GetBytes("\"" + id + "\""), prepared.Group.NameJson, createdAt.ToUnixTimeSeconds(), prepared.Translation.Echo);
            var turn = prepared.Translation.Store
                ? new ResponsesTurn(state.Data.Responses, id, prepared.Group.Name, prepared.Translation.PreviousResponseId, prepared.Translation.InputItems,
                    Auth.Caller.Of(context), createdAt)
                : null;
            var attempt = new ResponsesAttempt(context, original, canonical.WrittenMemory, prepared, head, turn,
                FallbackChain.TakesFilteredAnswers(options.DisableFallbacks, prepared.Group) && !prepared.Original.Stream);
            await ModelRequestPipeline.RunAsync(context, state, prepared.Group, prepared.Estimate, options, attempt,
                static (a, group, endpoint, accounting, ct) => a.RunAsync(group, endpoint, accounting, ct),
                ErrorWriter.WriteOpenAiAsync, cache: CacheFor(state, body.Options, original.Span, prepared, head),
                prompt: new(original, Observability.Callbacks.PromptKind.ResponsesInput), callType: CallType);
        }
        finally
        {
            canonical.Dispose();
        }
    }

    /// <summary>
    /// The cache takes only a turn that keeps no state: a stored turn (<c>store: true</c>) needs its
    /// answer under an id the store or OpenAI knows for a follow-up, and a <c>previous_response_id</c>
    /// turn's answer depends on a conversation its body does not hold.
    /// </summary>
    private static Cache.CacheRequest? CacheFor(GatewayState state, in Routing.RequestRoutingOptions options, ReadOnlySpan<byte> body,
        in ResponsesPrepared prepared, ResponsesStreamHead head)
    {
        if (prepared.Translation.Store || prepared.Translation.PreviousResponseId is not null)
            return null;
        var cache = Cache.CacheRequest.For(state.Cache, options.Cache, Config.CacheCallTypes.Responses, Cache.CacheFormat.ResponsesObject,
            body, prepared.Group.Name)?.ForResponses(head);
        return prepared.Original.Stream ? cache?.Streamed(wantsUsage: true) : cache;
    }

    /// <summary>Translates the body (one pass, malformed JSON anywhere is a 400) and finds the model group it names.</summary>
    private static GatewayError? Resolve(ReadOnlySpan<byte> body, GatewayState state, PooledBufferWriter canonical, ReadOnlyMemory<byte> priorItems,
        out ResponsesPrepared prepared)
    {
        prepared = default;
        Span<char> name = stackalloc char[ChatRequestParser.MaxModelNameChars];
        var error = ChatRequestParser.Parse(body, out var original, name, out var nameLength, requiresMessages: false);
        if (error is not null)
            return error;
        var translation = ResponsesRequestTranslator.Translate(body, canonical, priorItems);
        var request = original;
        if (translation.Error is { } refused)
        {
            // A field only the bridge cannot take (an item type, a file id) may be fine for OpenAI itself: refused per deployment.
            if (refused.Param is null or "model")
                return refused;
            translation = translation with { Error = null, BridgeError = refused };
        }
        else if ((error = ChatRequestParser.Parse(canonical.WrittenSpan, out request, stackalloc char[ChatRequestParser.MaxModelNameChars], out _)) is not null)
        {
            return error;
        }
        if (!state.Models.TryFind(name[..nameLength], out var group))
            return ChatCompletionsEndpoint.UnknownModel(name[..nameLength].ToString());
        prepared = new ResponsesPrepared(group, original, request, translation, request.Estimate(body.Length));
        return null;
    }

    /// <summary>Whether <paramref name="endpoint"/> serves the Responses API itself (OpenAI, Azure) rather than through the bridge.</summary>
    public static bool IsNative(ChatEndpoint endpoint) => endpoint is OpenAiChatEndpoint { ServesResponses: true };

    private sealed class ResponsesAttempt(HttpContext context, ReadOnlyMemory<byte> original, ReadOnlyMemory<byte> canonical,
        ResponsesPrepared prepared, ResponsesStreamHead head, ResponsesTurn? turn, bool filteredAnswerFallsBack)
    {
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        public async ValueTask<ProviderResult> RunAsync(Routing.ModelGroup group, ChatEndpoint endpoint, RequestAccounting accounting, CancellationToken ct)
        {
            if (turn is not null)
                turn.DeploymentId = endpoint.Deployment.Id;
            if (IsNative(endpoint))
            {
                return await endpoint.ChatAsync(new ChatCall(context, original, prepared.Original, group)
                {
                    Format = ClientFormat.Responses,
                    ResponsesBody = original,
                    ResponsesTurn = turn,
                    Accounting = accounting,
                }, ct);
            }
            if (prepared.Translation.BridgeError is { } bridgeError)
                return ProviderResult.Failed(bridgeError);
            return await endpoint.ChatAsync(new ChatCall(context, canonical, prepared.Request, group)
            {
                Format = ClientFormat.Responses,
                ResponsesBody = original,
                ResponsesHead = group == prepared.Group ? head : head with { ModelJson = group.NameJson },
                ResponsesTurn = turn,
                Accounting = accounting,
                FilteredAnswerFallsBack = filteredAnswerFallsBack,
            }, ct);
        }
    }
}
