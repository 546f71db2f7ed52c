using System.Text.Json;

namespace EdgeGw.Json;

/// <summary>Reads an OpenAI <c>usage</c> object, including the cached-prompt and reasoning details.</summary>
internal static class OpenAiUsageReader
{
    /// <summary>Reads from the <c>usage</c> value (an object or null) through its end.</summary>
    public static void Read(ref Utf8JsonReader reader, ref Usage usage)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }
        usage.Present = true;
        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
                continue;
            // The Responses API names them input_tokens / output_tokens (and *_tokens_details).
            if (reader.ValueTextEquals("prompt_tokens"u8) || reader.ValueTextEquals("input_tokens"u8))
                usage.PromptTokens = ReadLong(ref reader);
            else if (reader.ValueTextEquals("completion_tokens"u8) || reader.ValueTextEquals("output_tokens"u8))
                usage.CompletionTokens = ReadLong(ref reader);
            else if (reader.ValueTextEquals("cached_tokens"u8))
                usage.CachedTokens = ReadLong(ref reader);
            else if (reader.ValueTextEquals("reasoning_tokens"u8))
                usage.ReasoningTokens = ReadLong(ref reader);
            else if (reader.ValueTextEquals("cache_write_tokens"u8))
                usage.CacheCreationTokens = ReadLong(ref reader);
            else if (reader.ValueTextEquals("prompt_tokens_details"u8) || reader.ValueTextEquals("completion_tokens_details"u8)
                || reader.ValueTextEquals("input_tokens_details"u8) || reader.ValueTextEquals("output_tokens_details"u8))
                reader.Read(); // descend: the detail fields are matched by name above
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static long ReadLong(ref Utf8JsonReader reader)
    {
        reader.Read();
        return TokenCount.Of(ref reader);
    }
}
