namespace EdgeGw.Observability.Callbacks;

/// <summary>
/// A request's prompt and answer as the callbacks log them (LiteLLM's <c>messages</c> and <c>response</c>):
/// captured only when a destination wants them and no redaction setting leaves them out, so the request
/// path of a gateway without callbacks keeps nothing.
/// </summary>
internal sealed class CallbackContent
{
    /// <summary>The request's prompt as raw JSON (chat <c>messages</c>, Anthropic <c>messages</c>+<c>system</c> as sent, embeddings <c>input</c>); empty: none.</summary>
    public ReadOnlyMemory<byte> Messages { get; init; }

    /// <summary>The answer as an OpenAI-format JSON object (a stream assembled, bounded in size); empty: none (a failure, or not captured).</summary>
    public ReadOnlyMemory<byte> Response { get; init; }

    /// <summary>Left out on purpose (turn_off_message_logging, a key's or team's logging setting): writers put LiteLLM's "redacted-by-litellm" marker.</summary>
    public bool Redacted { get; init; }
}
