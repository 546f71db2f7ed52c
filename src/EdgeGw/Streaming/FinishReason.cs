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
