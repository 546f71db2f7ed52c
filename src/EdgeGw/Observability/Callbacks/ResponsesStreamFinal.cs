using System.Text.Json;

namespace EdgeGw.Observability.Callbacks;

/// <summary>
/// The answer of a streamed Responses API call: its terminal event (<c>response.completed</c>,
/// <c>.incomplete</c> or <c>.failed</c>) carries the whole Response object, so it is copied, not assembled.
/// </summary>
internal static class ResponsesStreamFinal
{
    /// <summary>The last terminal event's <c>response</c> object (bounded), or null when the stream has none.</summary>
    public static byte[]? Response(ReadOnlySpan<byte> sse)
    {
        ReadOnlySpan<byte> last = default;
        while (!sse.IsEmpty)
        {
            var end = sse.IndexOf((byte)'\n');
            var line = end < 0 ? sse : sse[..end];
            sse = end < 0 ? default : sse[(end + 1)..];
            if (line.StartsWith("data:"u8) && IsTerminal(line))
                last = line[5..].Trim(" \r"u8);
        }
        return last.IsEmpty ? null : ResponseOf(last);
    }

    private static bool IsTerminal(ReadOnlySpan<byte> line) =>
        line.IndexOf("\"response.completed\""u8) >= 0 || line.IndexOf("\"response.incomplete\""u8) >= 0 || line.IndexOf("\"response.failed\""u8) >= 0;

    private static byte[]? ResponseOf(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isResponse = reader.ValueTextEquals("response"u8);
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                if (isResponse)
                    return BoundedJson.Of(json[start..(int)reader.BytesConsumed]);
            }
        }
        catch (JsonException)
        {
        }
        return null;
    }
}
