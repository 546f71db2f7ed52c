using System.Text.Json;

namespace EdgeGw.Cache;

/// <summary>Reads a request's <c>cache</c> object (see <see cref="CacheControl"/>); unknown keys and wrong types are ignored, as LiteLLM does.</summary>
internal static class CacheControlReader
{
    /// <summary>The reader is on the object's start; it is left there (the caller skips the value).</summary>
    public static CacheControl Read(ref Utf8JsonReader objectStart)
    {
        var reader = objectStart;
        var control = new CacheControl();
        var depth = reader.CurrentDepth;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != depth + 1)
                continue;
            if (reader.ValueTextEquals("no-cache"u8))
                control = control with { NoCache = Bool(ref reader) == true };
            else if (reader.ValueTextEquals("no-store"u8))
                control = control with { NoStore = Bool(ref reader) == true };
            else if (reader.ValueTextEquals("use-cache"u8))
                control = control with { UseCache = Bool(ref reader) };
            else if (reader.ValueTextEquals("ttl"u8))
                control = control with { Ttl = Seconds(ref reader) };
            else if (reader.ValueTextEquals("s-maxage"u8) || reader.ValueTextEquals("s-max-age"u8))
                control = control with { MaxAge = Seconds(ref reader) };
            else if (reader.ValueTextEquals("namespace"u8))
                control = control with { Namespace = reader.Read() && reader.TokenType == JsonTokenType.String ? reader.GetString() : null };
            else
                reader.Read();
            reader.Skip();
        }
        return control;
    }

    private static bool? Bool(ref Utf8JsonReader reader) =>
        reader.Read() && reader.TokenType is JsonTokenType.True or JsonTokenType.False ? reader.GetBoolean() : null;

    private static TimeSpan? Seconds(ref Utf8JsonReader reader) =>
        reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var s) && s >= 0 ? TimeSpan.FromSeconds(s) : null;
}
