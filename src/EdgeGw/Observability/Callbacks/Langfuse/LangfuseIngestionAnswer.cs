using System.Text.Json;

namespace EdgeGw.Observability.Callbacks.Langfuse;

/// <summary>Langfuse's 207 answer <c>{"successes":[…],"errors":[{"id","status","message","error"}]}</c>: how many events it refused.</summary>
internal static class LangfuseIngestionAnswer
{
    private const int LongestMessage = 200;

    /// <summary>The refused count and the first refusal as "status: message" (cut short: it may quote what was sent).</summary>
    public static (int Count, string First) Errors(ReadOnlySpan<byte> answer)
    {
        var count = 0;
        var first = "";
        try
        {
            var reader = new Utf8JsonReader(answer);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return (0, first);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isErrors = reader.ValueTextEquals("errors"u8);
                reader.Read();
                if (!isErrors || reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    count++;
                    var error = ReadError(ref reader);
                    if (count == 1)
                        first = error;
                }
            }
        }
        catch (JsonException)
        {
            return (count, first.Length > 0 ? first : "an unreadable 207 answer");
        }
        return (count, first);
    }

    private static string ReadError(ref Utf8JsonReader reader)
    {
        var status = 0;
        string? message = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isStatus = reader.ValueTextEquals("status"u8);
            var isMessage = reader.ValueTextEquals("message"u8);
            reader.Read();
            if (isStatus && reader.TokenType == JsonTokenType.Number)
                reader.TryGetInt32(out status);
            else if (isMessage && reader.TokenType == JsonTokenType.String)
                message = reader.GetString();
            reader.Skip();
        }
        message ??= "";
        return $"{status}: {(message.Length > LongestMessage ? message[..LongestMessage] : message)}";
    }
}
