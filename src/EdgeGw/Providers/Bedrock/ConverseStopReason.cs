using EdgeGw.Streaming;

namespace EdgeGw.Providers.Bedrock;

/// <summary>Bedrock's <c>stopReason</c> → OpenAI's <c>finish_reason</c>, as LiteLLM's map_finish_reason maps it.</summary>
internal static class ConverseStopReason
{
    public static FinishReason ToFinishReason(ReadOnlySpan<byte> stopReason, bool jsonMode)
    {
        if (stopReason.SequenceEqual("tool_use"u8))
            return jsonMode ? FinishReason.Stop : FinishReason.ToolCalls; // the JSON tool's input is the answer's text
        if (stopReason.SequenceEqual("max_tokens"u8) || stopReason.SequenceEqual("model_context_window_exceeded"u8))
            return FinishReason.Length;
        if (stopReason.SequenceEqual("guardrail_intervened"u8) || stopReason.SequenceEqual("content_filtered"u8))
            return FinishReason.ContentFilter;
        return FinishReason.Stop; // end_turn, stop_sequence, malformed_* and reasons newer than this code
    }
}
