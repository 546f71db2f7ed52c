using System.Text.Json;

namespace EdgeGw.Providers.Anthropic;

/// <summary>
/// <see cref="Utf8JsonReader"/> steps shared by the stream decoder: each event's data must be one
/// JSON object; strings come back as spans of the data, still escaped.
/// </summary>
internal static class AnthropicEventJson
{
    /// <summary>The <c>type</c> field, for upstreams that omit the <c>event:</c> line.</summary>
    public static ReadOnlySpan<byte> TypeOf(ReadOnlySpan<byte> data)
    {
        var reader = Open(data);
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("type"u8))
                return ReadString(ref reader, data);
            SkipValue(ref reader);
        }
        return default;
    }

    public static void Validate(ReadOnlySpan<byte> data)
    {
        var reader = Open(data);
        while (NextProperty(ref reader))
            SkipValue(ref reader);
        Close(ref reader);
    }

    public static Utf8JsonReader Open(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException("event data is not a JSON object");
        return reader;
    }

    public static bool NextProperty(ref Utf8JsonReader reader) =>
        reader.Read() && reader.TokenType == JsonTokenType.PropertyName;

    public static void SkipValue(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }

    /// <summary>After the root object's last property: nothing but whitespace may follow.</summary>
    public static void Close(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth != 0 || reader.Read())
            throw new JsonException("event data is not one JSON object");
    }

    public static ReadOnlySpan<byte> ReadString(scoped ref Utf8JsonReader reader, ReadOnlySpan<byte> data)
    {
        reader.Read();
        return StringContent(ref reader, data);
    }

    /// <summary>A string token's content as written (still JSON-escaped); empty for null or other tokens.</summary>
    public static ReadOnlySpan<byte> StringContent(scoped ref Utf8JsonReader reader, ReadOnlySpan<byte> data)
    {
        if (reader.TokenType == JsonTokenType.String)
            return data.Slice((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
        reader.Skip();
        return default;
    }

    /// <summary>
    /// A <c>message_start</c> event: the message's id (still escaped), where its <c>model</c> token
    /// sits in <paramref name="data"/>, and its usage (read into <paramref name="usage"/>).
    /// </summary>
    public static void ReadMessageStart(ReadOnlySpan<byte> data, ref AnthropicUsage usage, out ReadOnlySpan<byte> id, out Json.JsonRange model)
    {
        id = default;
        model = default;
        var reader = Open(data);
        while (NextProperty(ref reader))
        {
            if (!reader.ValueTextEquals("message"u8))
            {
                SkipValue(ref reader);
                continue;
            }
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
                throw new JsonException("message_start.message is not an object");
            while (NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    id = StringContent(ref reader, data);
                }
                else if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                        model = new Json.JsonRange((int)reader.TokenStartIndex, (int)reader.BytesConsumed - (int)reader.TokenStartIndex);
                    else
                        reader.Skip();
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    reader.Read();
                    usage.Read(ref reader);
                }
                else
                {
                    SkipValue(ref reader);
                }
            }
        }
        Close(ref reader);
    }
}
