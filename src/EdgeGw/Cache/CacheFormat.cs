namespace EdgeGw.Cache;

/// <summary>What a <see cref="CacheEntry"/>'s body is: the non-streamed answer of the endpoint that stored it.</summary>
internal enum CacheFormat : byte
{
    /// <summary>OpenAI <c>chat.completion</c> JSON (<c>/v1/chat/completions</c>).</summary>
    OpenAiChat = 1,
    /// <summary>Anthropic <c>message</c> JSON (<c>/v1/messages</c>).</summary>
    AnthropicMessage = 2,
    /// <summary>One input's <c>embedding</c> value JSON (<c>/v1/embeddings</c>, cached per input as LiteLLM does; see EmbeddingInputs).</summary>
    Embedding = 3,
    /// <summary>A Responses API <c>response</c> object (<c>/v1/responses</c>).</summary>
    ResponsesObject = 4,
    /// <summary>A legacy <c>text_completion</c> object (<c>/v1/completions</c>).</summary>
    TextCompletion = 5,
}
