using System.Text.Json;
using EdgeGw.Json;

namespace EdgeGw.Providers.Bedrock;

/// <summary>
/// Bedrock's <c>TokenUsage</c>. <c>inputTokens</c> leaves out the cached part, so OpenAI's prompt_tokens
/// is the sum of the three input counts, cached_tokens the cache reads (LiteLLM's _transform_usage).
/// </summary>
internal struct ConverseUsage
{
    public bool Present;
    public long Input;
    public long Output;
    public long CacheRead;
    public long CacheWrite;

    // The same arithmetic as Anthropic's counts (input excludes both cache counts).
    public readonly Usage ToOpenAi() => new Anthropic.AnthropicUsage
    {
        Present = Present, Input = Input, CacheRead = CacheRead, CacheCreation = CacheWrite, Output = Output,
    }.ToOpenAi();

    /// <summary>Reads a <c>usage</c> object from its StartObject through its end.</summary>
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
            if (reader.ValueTextEquals("inputTokens"u8))
                Input = ReadCount(ref reader);
            else if (reader.ValueTextEquals("outputTokens"u8))
                Output = ReadCount(ref reader);
            else if (reader.ValueTextEquals("cacheReadInputTokens"u8))
                CacheRead = ReadCount(ref reader);
            else if (reader.ValueTextEquals("cacheWriteInputTokens"u8))
                CacheWrite = ReadCount(ref reader);
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static long ReadCount(ref Utf8JsonReader reader)
    {
        reader.Read();
        return TokenCount.Of(ref reader);
    }

    /// <summary>OpenAI's usage object plus LiteLLM's cache fields, so cache writes (billed higher) stay visible.</summary>
    public readonly void Write(Utf8JsonWriter json)
    {
        var usage = ToOpenAi();
        json.WriteStartObject("usage"u8);
        json.WriteNumber("prompt_tokens"u8, usage.PromptTokens);
        json.WriteNumber("completion_tokens"u8, usage.CompletionTokens);
        json.WriteNumber("total_tokens"u8, usage.TotalTokens);
        json.WriteStartObject("prompt_tokens_details"u8);
        json.WriteNumber("cached_tokens"u8, CacheRead);
        json.WriteEndObject();
        json.WriteNumber("cache_creation_input_tokens"u8, CacheWrite);
        json.WriteNumber("cache_read_input_tokens"u8, CacheRead);
        json.WriteEndObject();
    }
}
