namespace EdgeGw.Json;

/// <summary>Token counts of one response, in OpenAI's terms (prompt includes cached, completion includes reasoning).</summary>
internal struct Usage
{
    public bool Present;
    public long PromptTokens;
    public long CompletionTokens;
    public long CachedTokens;
    public long CacheCreationTokens;
    public long ReasoningTokens;
    /// <summary>Counted by the gateway (about 4 bytes a token), not reported by the upstream: a stream that ended without its usage.</summary>
    public bool Estimated;

    public readonly long TotalTokens => PromptTokens + CompletionTokens;
}
