namespace EdgeGw.Observability.Callbacks;

/// <summary>
/// A request's prompt and answer as the callbacks log them (LiteLLM's <c>messages</c> and <c>response</c>):
/// captured only when a destination wants them and no redaction setting leaves them out, so the request
/// path of a gateway without callbacks keeps nothing (see <see cref="ContentCapture"/>).
/// </summary>
internal sealed class CallbackContent
{
    /// <summary>Every redacted request shares this one: nothing was captured for it.</summary>
    public static readonly CallbackContent RedactedByLiteLlm = new() { Redacted = true };

    /// <summary>LiteLLM's marker (litellm.constants.REDACTED_BY_LITELLM) for what was left out.</summary>
    public const string RedactedMarker = "redacted-by-litellm";

    /// <summary>The request's prompt as raw JSON (chat <c>messages</c>, Anthropic <c>messages</c> with <c>system</c> first, embeddings <c>input</c>); empty: none.</summary>
    public ReadOnlyMemory<byte> Messages { get; init; }

    /// <summary>
    /// The answer as the client got it, a JSON object (a stream assembled into the unstreamed body of
    /// its format: OpenAI's chat.completion, Anthropic's message on /v1/messages); empty: none (a failure,
    /// or not captured). Over <see cref="BoundedJson.MaxBytes"/> it is a JSON string: the head and a marker.
    /// </summary>
    public ReadOnlyMemory<byte> Response { get; init; }

    /// <summary>Left out on purpose (turn_off_message_logging, a key's or team's logging setting, a header): writers put <see cref="RedactedMarker"/>.</summary>
    public bool Redacted { get; init; }
}
