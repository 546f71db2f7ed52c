using System.Text.Json;
using System.Text.Unicode;
using EdgeGw.Api;
using EdgeGw.Buffers;

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
    /// Allocation-free unless the body is refused: escaped text is unescaped into a scratch buffer
    /// (prompts are full of <c>\n</c>; decoding each to a string copied every prompt once more).
    /// </summary>
    public static GatewayError? InvalidTextError(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        var field = default(Utf8JsonReader); // positioned on the last top-level property name
        var hasField = false;
        byte[]? rented = null;
        Span<byte> scratch = stackalloc byte[512];
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
                    continue;
                bool valid;
                if (!reader.ValueIsEscaped)
                    valid = Utf8.IsValid(reader.ValueSpan);
                else
                {
                    // Unescaped text is never longer than its escaped form.
                    if (reader.ValueSpan.Length > scratch.Length)
                    {
                        if (rented is not null)
                            BufferPool.Return(rented);
                        scratch = rented = BufferPool.Rent(reader.ValueSpan.Length);
                    }
                    valid = TryUnescape(ref reader, scratch, out var written) && Utf8.IsValid(scratch[..written]);
                }
                if (!valid)
                {
                    var name = hasField ? field.GetString()! : "body";
                    return GatewayError.BadRequest($"'{name}' {InvalidText}.", name);
                }
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
                {
                    field = reader;
                    hasField = true;
                }
            }
        }
        catch (JsonException)
        {
            // Malformed JSON is the translator's to report, with its own message.
        }
        finally
        {
            if (rented is not null)
                BufferPool.Return(rented);
        }
        return null;
    }

    private static bool TryUnescape(ref Utf8JsonReader reader, scoped Span<byte> destination, out int written)
    {
        try
        {
            written = reader.CopyString(destination);
            return true;
        }
        catch (InvalidOperationException)
        {
            written = 0;
            return false;
        }
    }
}
