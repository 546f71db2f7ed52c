using System.Text.Json;
using EdgeGw.Json;

namespace EdgeGw.Providers.Anthropic;

/// <summary>
/// Anthropic's token counts as sent. <c>input_tokens</c> is only the uncached part, so OpenAI's
/// prompt_tokens is the sum of the three input counts; <c>output_tokens</c> includes thinking.
/// </summary>
internal struct AnthropicUsage
{
    public bool Present;
    public long Input;
    public long CacheCreation;
    public long CacheRead;
    public long Output;
    public long Thinking;

    public readonly Usage ToOpenAi() => new()
    {
        Present = Present,
        PromptTokens = Input + CacheCreation + CacheRead,
        CompletionTokens = Output,
        CachedTokens = CacheRead,
        CacheCreationTokens = CacheCreation,
        ReasoningTokens = Thinking,
    };

    public static AnthropicUsage From(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object)
            return default;
        return new AnthropicUsage
        {
            Present = true,
            Input = Count(usage, "input_tokens"),
            CacheCreation = Count(usage, "cache_creation_input_tokens"),
            CacheRead = Count(usage, "cache_read_input_tokens"),
            Output = Count(usage, "output_tokens"),
            Thinking = usage.TryGetProperty("output_tokens_details", out var details) && details.ValueKind == JsonValueKind.Object
                ? Count(details, "thinking_tokens") : 0,
        };
    }

    private static long Count(JsonElement obj, string name) => TokenCount.Of(obj, name);

    /// <summary>Reads a <c>usage</c> object from its StartObject through its end; counts it does not carry keep their values (stream usage is cumulative).</summary>
    public void Read(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }
        Present = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("input_tokens"u8))
                Input = ReadCount(ref reader, Input);
            else if (reader.ValueTextEquals("output_tokens"u8))
                Output = ReadCount(ref reader, Output);
            else if (reader.ValueTextEquals("cache_read_input_tokens"u8))
                CacheRead = ReadCount(ref reader, CacheRead);
            else if (reader.ValueTextEquals("cache_creation_input_tokens"u8))
                CacheCreation = ReadCount(ref reader, CacheCreation);
            else if (reader.ValueTextEquals("output_tokens_details"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("thinking_tokens"u8))
                        Thinking = ReadCount(ref reader, Thinking);
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static long ReadCount(ref Utf8JsonReader reader, long current)
    {
        reader.Read();
        return TokenCount.Of(ref reader, current);
    }
}
