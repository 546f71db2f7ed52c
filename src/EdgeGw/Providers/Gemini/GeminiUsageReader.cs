using System.Text.Json;
using EdgeGw.Json;

namespace EdgeGw.Providers.Gemini;

/// <summary>
/// Reads <c>usageMetadata</c> into OpenAI terms: prompt = promptTokenCount + toolUsePromptTokenCount
/// (both billed input; cached is a subset), completion = candidatesTokenCount + thoughtsTokenCount,
/// reasoning = thoughtsTokenCount, cached = cachedContentTokenCount. The counts are running totals,
/// so each read replaces the last.
/// </summary>
internal static class GeminiUsageReader
{
    /// <summary>Reads from the <c>usageMetadata</c> value through its end.</summary>
    public static void Read(ref Utf8JsonReader reader, ref Usage usage)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }
        long prompt = 0, toolPrompt = 0, candidates = 0, thoughts = 0, cached = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("promptTokenCount"u8))
                prompt = ReadLong(ref reader);
            else if (reader.ValueTextEquals("candidatesTokenCount"u8))
                candidates = ReadLong(ref reader);
            else if (reader.ValueTextEquals("thoughtsTokenCount"u8))
                thoughts = ReadLong(ref reader);
            else if (reader.ValueTextEquals("cachedContentTokenCount"u8))
                cached = ReadLong(ref reader);
            else if (reader.ValueTextEquals("toolUsePromptTokenCount"u8))
                toolPrompt = ReadLong(ref reader);
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        usage = new Usage
        {
            Present = true,
            PromptTokens = prompt + toolPrompt,
            CompletionTokens = candidates + thoughts,
            CachedTokens = cached,
            ReasoningTokens = thoughts,
        };
    }

    private static long ReadLong(ref Utf8JsonReader reader)
    {
        reader.Read();
        return TokenCount.Of(ref reader);
    }
}
