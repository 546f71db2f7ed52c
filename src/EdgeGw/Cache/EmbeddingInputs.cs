using System.Text.Json;
using EdgeGw.Json;

namespace EdgeGw.Cache;

/// <summary>
/// An embeddings request's <c>input</c> split into what LiteLLM caches one by one: a string or a
/// single token array is one input; an array of strings or of token arrays is one input an element.
/// </summary>
internal static class EmbeddingInputs
{
    /// <returns>The inputs' ranges in <paramref name="body"/>, or null for an empty or odd <c>input</c> (cached whole, or not at all).</returns>
    public static JsonRange[]? Split(ReadOnlySpan<byte> body, JsonRange input)
    {
        var value = body.Slice(input.Start, input.Length);
        var reader = new Utf8JsonReader(value);
        if (!reader.Read())
            return null;
        if (reader.TokenType == JsonTokenType.String)
            return [input];
        var ranges = new List<JsonRange>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            // A list of numbers is one token array: one input.
            if (reader.TokenType == JsonTokenType.Number)
                return [input];
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.StartArray))
                return null;
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            ranges.Add(new JsonRange(input.Start + start, (int)reader.BytesConsumed - start));
        }
        return ranges.Count == 0 ? null : [.. ranges];
    }

    /// <summary>The body with <c>input</c> replaced by the listed inputs only, in order (what goes upstream on a partial hit).</summary>
    public static byte[] WithOnly(ReadOnlySpan<byte> body, JsonRange input, ReadOnlySpan<JsonRange> keep)
    {
        var length = body.Length - input.Length + 1 + keep.Length;
        foreach (var range in keep)
            length += range.Length;
        var bytes = new byte[length];
        var span = bytes.AsSpan();
        body[..input.Start].CopyTo(span);
        var at = input.Start;
        span[at++] = (byte)'[';
        for (var i = 0; i < keep.Length; i++)
        {
            if (i > 0)
                span[at++] = (byte)',';
            body.Slice(keep[i].Start, keep[i].Length).CopyTo(span[at..]);
            at += keep[i].Length;
        }
        span[at++] = (byte)']';
        body[input.End..].CopyTo(span[at..]);
        return bytes;
    }
}
