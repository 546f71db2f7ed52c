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

    public static async Task HandleAsync(HttpContext context, GatewayState state)
    {
        // metadata is the Responses API's own field (echoed, and OpenAI's to store): kept in the body.
        using var body = await ModelRequestBody.ReadAsync(context, state, ErrorWriter.WriteOpenAiAsync, anthropicMetadata: true);
        if (!body.IsRead)
            return;
        var original = body.Bytes.WrittenMemory;
        using var canonical = new PooledBufferWriter(original.Length + 512);
        ResponsesPrepared prepared = default;
        var error = Json.JsonText.InvalidTextError(original.Span);
        var (inputItems, previousId) = error is null ? ResponseTurn.ReadRequest(original.Span) : ([], null);
        ConversationReplay? replay = null;
        byte[]? priorMessages = null;
        if (error is null && previousId is not null)
        {
            replay = await ConversationReplay.LoadAsync(state.Data.Responses, previousId, Auth.Caller.Of(context), context.RequestAborted);
            // Unknown here: an OpenAI deployment may still know it (a response this proxy did not record); a bridged one answers not-found.
            if (replay.Latest is null)
                replay = null;
            else if ((error = replay.Error) is null && !replay.Latest.IsForwarded)
                error = ReplayMessages(replay, out priorMessages);
        }
        error ??= Resolve(original.Span, state, canonical, priorMessages, out prepared);
        if (error is not null)
        {
            await ErrorWriter.WriteOpenAiAsync(context, error);
            return;
        }
        var responseId = ResponseIds.NewResponseId();
        var head = new ResponsesStreamHead(
            Encoding.UTF8.GetBytes("\"" + responseId + "\""), prepared.Group.NameJson,
            state.Time.GetUtcNow().ToUnixTimeSeconds(), prepared.Translation.Echo);
        var turn = prepared.Translation.Store
            ? new ResponseTurn(state.Data.Responses, responseId, prepared.Group.Name, previousId, inputItems, Auth.Caller.Of(context), state.Time.GetUtcNow())
            : null;
        var attempt = new ResponsesAttempt(context, original, canonical.WrittenMemory, prepared, head,
            FallbackChain.TakesFilteredAnswers(body.Options, prepared.Group) && !prepared.Original.Stream, turn,
            Replayed: priorMessages is not null, forwardedPrevious: replay?.Latest?.IsForwarded == true);
        // A follow-up goes back to its previous turn's deployment while it can take it: prompt caches (and OpenAI's stored state) live there.
        var options = replay?.Latest is { } latest ? body.Options with { PreferredDeployment = latest.DeploymentId } : body.Options;
        await ModelRequestPipeline.RunAsync(context, state, prepared.Group, prepared.Estimate, options, attempt,
            static (a, group, endpoint, accounting, ct) => a.RunAsync(group, endpoint, accounting, ct),
            ErrorWriter.WriteOpenAiAsync, callType: CallType);
    }

    /// <summary>Translates the body (one pass, malformed JSON anywhere is a 400) and finds the model group it names.</summary>
    private static GatewayError? ReplayMessages(ConversationReplay replay, out byte[]? messages)
    {
        messages = null;
        try
        {
            messages = replay.ChatMessages();
            return null;
        }
        catch (Exception e) when (e is ResponsesRequestException or System.Text.Json.JsonException)
        {
            return GatewayError.BadRequest($"The conversation stored for previous_response_id '{replay.Latest!.Id}' cannot be replayed: {e.Message}", "previous_response_id");
        }
    }

    private static GatewayError? Resolve(ReadOnlySpan<byte> body, GatewayState state, PooledBufferWriter canonical, ReadOnlySpan<byte> priorMessages,
        out ResponsesPrepared prepared)
    {
        prepared = default;
        Span<char> name = stackalloc char[ChatRequestParser.MaxModelNameChars];
        var error = ChatRequestParser.Parse(body, out var original, name, out var nameLength, requiresMessages: false);
        if (error is not null)
            return error;
        var translation = ResponsesRequestTranslator.Translate(body, canonical, priorMessages);
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

    /// <param name="Replayed">The stored conversation behind <c>previous_response_id</c> is already in <paramref name="canonical"/>.</param>
    private sealed class ResponsesAttempt(HttpContext context, ReadOnlyMemory<byte> original, ReadOnlyMemory<byte> canonical,
        ResponsesPrepared prepared, ResponsesStreamHead head, bool filteredAnswerFallsBack, ResponseTurn? turn, bool Replayed, bool forwardedPrevious)
    {
        public async ValueTask<ProviderResult> RunAsync(Routing.ModelGroup group, ChatEndpoint endpoint, RequestAccounting accounting, CancellationToken ct)
        {
            if (IsNative(endpoint))
            {
                return await endpoint.ChatAsync(new ChatCall(context, original, prepared.Original, group)
                {
                    Format = ClientFormat.Responses,
                    ResponsesBody = original,
                    Accounting = accounting,
                    ResponseTurn = turn is null ? null : turn with { DeploymentId = endpoint.Deployment.Id },
                }, ct);
            }
            if (prepared.Translation.BridgeError is { } bridgeError)
                return ProviderResult.Failed(bridgeError);
            if (prepared.Translation.PreviousResponseId is { } previous && !Replayed)
                return ProviderResult.Failed(forwardedPrevious
                    ? GatewayError.BadRequest(
                        $"previous_response_id '{previous}' names a response stored by an OpenAI or Azure deployment; this deployment cannot continue it. Send the whole conversation as 'input'.",
                        "previous_response_id")
                    : ConversationReplay.NotFound(previous));
            return await endpoint.ChatAsync(new ChatCall(context, canonical, prepared.Request, group)
            {
                Format = ClientFormat.Responses,
                ResponsesBody = original,
                ResponsesHead = group == prepared.Group ? head : head with { ModelJson = group.NameJson },
                Accounting = accounting,
                FilteredAnswerFallsBack = filteredAnswerFallsBack,
                ResponseTurn = turn is null ? null : turn with { DeploymentId = endpoint.Deployment.Id },
            }, ct);
        }
    }
}
