namespace EdgeGw.Streaming;

/// <summary>Why generation stopped, in the canonical (OpenAI) vocabulary every client format maps from.</summary>
internal enum FinishReason : byte
{
    None,
    Stop,
    Length,
    ToolCalls,
    ContentFilter,
}

internal static class FinishReasonText
{
    /// <summary>The OpenAI <c>finish_reason</c> string.</summary>
    public static ReadOnlySpan<byte> OpenAi(FinishReason reason) => reason switch
    {
        FinishReason.Length => "length"u8,
        FinishReason.ToolCalls => "tool_calls"u8,
        FinishReason.ContentFilter => "content_filter"u8,
        _ => "stop"u8,
    };
}
