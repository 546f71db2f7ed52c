namespace EdgeGw.Observability.Callbacks;

/// <summary>Where a request body keeps its prompt.</summary>
internal enum PromptKind : byte
{
    None,
    /// <summary>Chat completions: <c>messages</c>.</summary>
    ChatMessages,
    /// <summary>Anthropic Messages: <c>messages</c>, with <c>system</c> put first as a system message.</summary>
    AnthropicMessages,
    /// <summary>Embeddings: <c>input</c>.</summary>
    EmbeddingInput,
    /// <summary>Responses API: <c>input</c> (a string or an item list) as sent.</summary>
    ResponsesInput,
    /// <summary>Legacy completions: <c>prompt</c>.</summary>
    CompletionPrompt,
}

/// <summary>A request's body and where its prompt is, for the callbacks to copy the prompt from (only when they log it).</summary>
internal readonly record struct CallbackPrompt(ReadOnlyMemory<byte> Body, PromptKind Kind);
