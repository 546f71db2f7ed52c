using EdgeGw.Api;
using EdgeGw.Auth;
using EdgeGw.Cache;
using EdgeGw.Providers;

namespace EdgeGw.Observability.Callbacks;

/// <summary>
/// One request's prompt and answer for the callbacks. <see cref="Begin"/> runs only when a callback
/// logs messages: it decides redaction, copies the prompt out of the (pooled) body and puts a copy
/// in front of the response (<see cref="StreamCapture"/>, as the response cache does), so a gateway
/// without callbacks pays nothing. <see cref="Finish"/> turns what was sent into the logged answer: a
/// stream assembled into the unstreamed body of its format, everything within <see cref="BoundedJson.MaxBytes"/>.
/// </summary>
internal sealed class ContentCapture : IDisposable
{
    // A stream's events repeat their envelope per delta, so its bytes run several times the body they fold into.
    private const int MaxSentBytes = 8 * BoundedJson.MaxBytes;

    private static readonly ContentCapture Redacted = new(null, PromptKind.None, null);

    private readonly byte[]? _prompt;
    private readonly PromptKind _kind;
    private StreamCapture? _answer;

    private ContentCapture(byte[]? prompt, PromptKind kind, StreamCapture? answer)
    {
        _prompt = prompt;
        _kind = kind;
        _answer = answer;
    }

    /// <summary>Null when no callback logs messages (nothing is captured, nothing allocated).</summary>
    public static ContentCapture? Begin(HttpContext http, GatewayState gateway, in CallbackPrompt prompt)
    {
        if (prompt.Kind == PromptKind.None || gateway.Data.Ledger.Callbacks is not { WantsContent: true } callbacks)
            return null;
        if (MessageRedaction.IsRedacted(callbacks.Settings, Caller.Of(http), gateway.Data.Accounts, http.Request.Headers))
            return Redacted;
        return new ContentCapture(PromptJson.Copy(prompt.Body.Span, prompt.Kind), prompt.Kind, StreamCapture.Start(http, MaxSentBytes));
    }

    /// <summary>The content to log for the finished request; a failure logs its prompt and no answer.</summary>
    public CallbackContent Finish(HttpContext http, in ProviderResult result)
    {
        if (ReferenceEquals(this, Redacted))
            return CallbackContent.RedactedByLiteLlm;
        return new CallbackContent { Messages = _prompt, Response = result.Error is null ? Answer(http, result) : null };
    }

    private byte[]? Answer(HttpContext http, in ProviderResult result)
    {
        if (_answer is null || http.Response.StatusCode != StatusCodes.Status200OK)
            return null;
        if (!_answer.TryGetBytes(out var sent))
            return BoundedJson.TooLarge(MaxSentBytes);
        if (sent.IsEmpty)
            return null;
        if (http.Response.ContentType?.StartsWith("text/event-stream", StringComparison.Ordinal) != true)
            return BoundedJson.Of(sent.Span);
        var body = StreamStore.Assemble(_kind switch
        {
            PromptKind.AnthropicMessages => CacheFormat.AnthropicMessage,
            PromptKind.ResponsesInput => CacheFormat.ResponsesObject,
            PromptKind.CompletionPrompt => CacheFormat.TextCompletion,
            _ => CacheFormat.OpenAiChat,
        }, sent, result.Usage);
        return body is null || body.Length <= BoundedJson.MaxBytes ? body : BoundedJson.Of(body);
    }

    // A request that ends after its handler returned (an adapter that threw) logs no answer rather than a marker.
    public void Dispose()
    {
        _answer?.Dispose();
        _answer = null;
    }
}
