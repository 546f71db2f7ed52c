using System.Text.Json;

namespace EdgeGw.Observability.Callbacks.Langfuse;

/// <summary>
/// What LiteLLM's Langfuse logger shows as a generation's output: the first choice's <c>message</c>
/// of a chat answer, the <c>text</c> of a text completion, a Responses API answer's <c>output</c> items, nothing for embeddings.
/// </summary>
internal static class LangfuseOutput
{
    /// <summary>The raw JSON of that value inside an OpenAI-format answer; empty: none.</summary>
    public static ReadOnlySpan<byte> FirstChoice(ReadOnlySpan<byte> response)
    {
        try
        {
            var reader = new Utf8JsonReader(response);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return default;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isChoices = reader.ValueTextEquals("choices"u8);
                var isOutput = reader.ValueTextEquals("output"u8);
                reader.Read();
                if (isChoices && reader.TokenType == JsonTokenType.StartArray)
                    return reader.Read() && reader.TokenType == JsonTokenType.StartObject ? response[InChoice(ref reader)] : default;
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                if (isOutput && reader.TokenType == JsonTokenType.EndArray)
                    return response[start..(int)reader.BytesConsumed];
            }
        }
        catch (JsonException)
        {
            // An answer cut at its size bound: logged without output rather than not at all.
        }
        return default;
    }

    private static Range InChoice(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var wanted = reader.ValueTextEquals("message"u8) || reader.ValueTextEquals("text"u8);
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            if (wanted)
                return start..(int)reader.BytesConsumed;
        }
        return default;
    }
}
