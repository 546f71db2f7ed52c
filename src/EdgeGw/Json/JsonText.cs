using System.Text.Json;
using System.Text.Unicode;
using EdgeGw.Api;

namespace EdgeGw.Json;

/// <summary>
/// Reading a JSON string that holds invalid UTF-8 or a lone surrogate escape (<c>\ud800</c>) throws
/// <see cref="InvalidOperationException"/> in System.Text.Json; callers turn this into a 400 naming the field.
/// </summary>
internal static class JsonText
{
    public const string InvalidText = "must be valid UTF-8 text (no invalid bytes or lone surrogates)";

    public static bool TryGetString(JsonElement value, out string? text)
    {
        try
        {
            text = value.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            text = null;
            return false;
        }
    }

    public static bool TryGetString(ref Utf8JsonReader reader, out string? text)
    {
        try
        {
            text = reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            text = null;
            return false;
        }
    }

    public static bool TryCopyString(ref Utf8JsonReader reader, Span<char> destination, out int length)
    {
        try
        {
            length = reader.CopyString(destination);
            return true;
        }
        catch (InvalidOperationException)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>
    /// A 400 naming the top-level field whose text (a string or a property name) is invalid UTF-8
    /// or holds a lone surrogate, else null. Translators call it first: they decode every string.
    /// </summary>
    public static GatewayError? InvalidTextError(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        var field = "body";
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
                    continue;
                var valid = reader.ValueIsEscaped ? TryGetString(ref reader, out _) : Utf8.IsValid(reader.ValueSpan);
                if (valid && reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
                    field = reader.GetString()!;
                else if (!valid)
                    return GatewayError.BadRequest($"'{field}' {InvalidText}.", field);
            }
        }
        catch (JsonException)
        {
            // Malformed JSON is the translator's to report, with its own message.
        }
        return null;
    }
}
