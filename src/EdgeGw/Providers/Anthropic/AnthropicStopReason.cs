using EdgeGw.Streaming;

namespace EdgeGw.Providers.Anthropic;

/// <summary>Anthropic <c>stop_reason</c> → OpenAI <c>finish_reason</c>.</summary>
internal static class AnthropicStopReason
{
    /// <param name="toolUseIsJson">The only tool used was <c>json_tool_call</c>: the client sees text, so "stop".</param>
    public static FinishReason ToFinishReason(ReadOnlySpan<byte> stopReason, bool toolUseIsJson)
    {
        if (stopReason.SequenceEqual("max_tokens"u8) || stopReason.SequenceEqual("model_context_window_exceeded"u8))
            return FinishReason.Length;
        if (stopReason.SequenceEqual("tool_use"u8))
            return toolUseIsJson ? FinishReason.Stop : FinishReason.ToolCalls;
        if (stopReason.SequenceEqual("refusal"u8))
            return FinishReason.ContentFilter;
        return FinishReason.Stop; // end_turn, stop_sequence, pause_turn and reasons newer than this code
    }

    public static string ToOpenAi(FinishReason reason) => reason switch
    {
        FinishReason.Length => "length",
        FinishReason.ToolCalls => "tool_calls",
        FinishReason.ContentFilter => "content_filter",
        _ => "stop",
    };
}
