using System.Text.Json;

namespace EdgeGw.Observability.Otel;

/// <summary>Where the answer's span fields go: the live attempt span, or the deferred record.</summary>
internal interface IAnswerFields
{
    /// <summary>The answer's <c>model</c>; <paramref name="value"/> is on its string token.</summary>
    void Model(ref Utf8JsonReader value);

    /// <summary>The answer's <c>id</c>; <paramref name="value"/> is on its string token.</summary>
    void Id(ref Utf8JsonReader value);

    /// <summary>One choice's <c>finish_reason</c>; <paramref name="value"/> is on its string token.</summary>
    void Finish(ref Utf8JsonReader value);
}

/// <summary>
/// The one walk over an OpenAI <c>chat.completion</c> or stream chunk for its span fields (model, id,
/// each choice's finish_reason), shared by the live and the deferred span paths.
/// </summary>
internal static class OpenAiAnswerFields
{
    /// <param name="withModel">False when the answer was translated and already names the client's model, not the provider's.</param>
    public static void Read<TFields>(ReadOnlySpan<byte> json, bool withModel, TFields fields) where TFields : IAnswerFields
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isModel = withModel && reader.ValueTextEquals("model"u8);
                var isId = !isModel && reader.ValueTextEquals("id"u8);
                var isChoices = !isModel && !isId && reader.ValueTextEquals("choices"u8);
                reader.Read();
                if (isChoices && reader.TokenType == JsonTokenType.StartArray)
                    ReadChoices(ref reader, fields);
                else if (isModel && reader.TokenType == JsonTokenType.String)
                    fields.Model(ref reader);
                else if (isId && reader.TokenType == JsonTokenType.String)
                    fields.Id(ref reader);
                else
                    reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Already validated by the adapter's scan; a span attribute is not worth failing an answer for.
        }
    }

    private static void ReadChoices<TFields>(ref Utf8JsonReader reader, TFields fields) where TFields : IAnswerFields
    {
        var depth = reader.CurrentDepth;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            // A property of a choice object itself (not of its message or delta).
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == depth + 2 && reader.ValueTextEquals("finish_reason"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                    fields.Finish(ref reader);
            }
        }
    }
}
