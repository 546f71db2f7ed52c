using EdgeGw.Streaming;

namespace EdgeGw.Providers.Gemini;

/// <summary>Gemini API (Google AI Studio) constants and enum mappings.</summary>
internal static class GeminiWire
{
    /// <summary>The key goes in this header, never in the URL, so it cannot leak through logged URLs or errors.</summary>
    public const string ApiKeyHeader = "x-goog-api-key";

    public const string ApiVersion = "v1beta";
    public const string GenerateSuffix = ":generateContent";
    public const string StreamSuffix = ":streamGenerateContent?alt=sse";

    /// <summary>
    /// <c>reasoning_effort</c> → <c>thinkingBudget</c>, LiteLLM's defaults: none 0 (thinking off,
    /// where the model allows it), minimal 128, low 1024, medium 2048, high 4096.
    /// </summary>
    public static int? ThinkingBudget(string? effort) => effort switch
    {
        "none" or "disable" => 0,
        "minimal" => 128,
        "low" => 1024,
        "medium" => 2048,
        "high" => 4096,
        _ => null,
    };

    /// <summary>
    /// STOP is also what Gemini says after function calls, so a candidate that made calls ends in
    /// <c>tool_calls</c>. Block reasons become <c>content_filter</c>; the tool-call failures
    /// (MALFORMED_FUNCTION_CALL …), LANGUAGE and OTHER become <c>stop</c>.
    /// </summary>
    public static FinishReason MapFinishReason(ReadOnlySpan<byte> reason, bool madeToolCalls)
    {
        if (reason.SequenceEqual("MAX_TOKENS"u8))
            return FinishReason.Length;
        if (reason.SequenceEqual("SAFETY"u8) || reason.SequenceEqual("RECITATION"u8) || reason.SequenceEqual("BLOCKLIST"u8)
            || reason.SequenceEqual("PROHIBITED_CONTENT"u8) || reason.SequenceEqual("SPII"u8) || reason.SequenceEqual("IMAGE_SAFETY"u8)
            || reason.SequenceEqual("IMAGE_PROHIBITED_CONTENT"u8) || reason.SequenceEqual("IMAGE_RECITATION"u8))
            return FinishReason.ContentFilter;
        return madeToolCalls ? FinishReason.ToolCalls : FinishReason.Stop;
    }
}
