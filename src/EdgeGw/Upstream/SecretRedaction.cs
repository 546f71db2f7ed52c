using System.Buffers;
using System.Numerics;
using System.Text;

namespace EdgeGw.Upstream;

/// <summary>
/// The one redaction of upstream error text, streamed or not: the deployment's own key, and (as
/// LiteLLM's <c>redact_api_keys</c> does) anything shaped like a provider key — <c>sk-</c> (so
/// <c>sk-ant-</c>, <c>sk-proj-</c>) followed by 20+ key characters — becomes <c>[redacted]</c>.
/// Text without either is returned as it came, without allocating.
/// </summary>
internal static class SecretRedaction
{
    public const string Mark = "[redacted]";
    private const int MinKeyTail = 20;

    public static string Redact(string text, string? apiKey)
    {
        var span = text.AsSpan();
        var key = apiKey.AsSpan();
        var start = Find(span, key, true, out var length);
        if (start < 0)
            return text;
        var result = new StringBuilder(text.Length);
        do
        {
            result.Append(span[..start]).Append(Mark);
            span = span[(start + length)..];
        }
        while ((start = Find(span, key, true, out length)) >= 0);
        return result.Append(span).ToString();
    }

    public static string? RedactOrNull(string? text, string? apiKey) => text is null ? null : Redact(text, apiKey);

    /// <summary>Writes UTF-8 <paramref name="data"/> with each secret replaced; no allocation.</summary>
    /// <remarks>Model output may legitimately say <c>sk-…</c>: <paramref name="keyShapes"/> is for error text only.</remarks>
    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> data, ReadOnlySpan<byte> apiKey, bool keyShapes)
    {
        int start;
        while ((start = Find(data, apiKey, keyShapes, out var length)) >= 0)
        {
            output.Write(data[..start]);
            output.Write("[redacted]"u8);
            data = data[(start + length)..];
        }
        output.Write(data);
    }

    /// <summary>The same, with the JSON token at <paramref name="model"/> (if any) replaced by <paramref name="replacement"/>: the client's model name.</summary>
    public static void WriteSpliced(IBufferWriter<byte> output, ReadOnlySpan<byte> data, Json.JsonRange model, ReadOnlySpan<byte> replacement,
        ReadOnlySpan<byte> apiKey, bool keyShapes)
    {
        if (model.IsEmpty)
        {
            Write(output, data, apiKey, keyShapes);
            return;
        }
        Write(output, data[..model.Start], apiKey, keyShapes);
        output.Write(replacement);
        Write(output, data[model.End..], apiKey, keyShapes);
    }

    /// <summary>Whether the UTF-8 <paramref name="data"/> holds a secret.</summary>
    public static bool Contains(ReadOnlySpan<byte> data, ReadOnlySpan<byte> apiKey, bool keyShapes) => Find(data, apiKey, keyShapes, out _) >= 0;

    public static byte[] KeyBytes(string? apiKey) => string.IsNullOrEmpty(apiKey) ? [] : Encoding.UTF8.GetBytes(apiKey);

    /// <summary>The first secret in <paramref name="text"/>: the key itself or a key-shaped token.</summary>
    private static int Find<T>(ReadOnlySpan<T> text, ReadOnlySpan<T> key, bool keyShapes, out int length) where T : unmanaged, IBinaryInteger<T>
    {
        var exact = key.IsEmpty ? -1 : text.IndexOf(key);
        var shapedLength = 0;
        var shaped = keyShapes ? FindShaped(text, exact < 0 ? text.Length : exact, out shapedLength) : -1;
        if (shaped >= 0)
        {
            // A key-shaped token running into the key takes the key with it.
            length = exact >= 0 && exact < shaped + shapedLength ? Math.Max(shapedLength, exact + key.Length - shaped) : shapedLength;
            return shaped;
        }
        length = key.Length;
        return exact;
    }

    private static int FindShaped<T>(ReadOnlySpan<T> text, int before, out int length) where T : unmanaged, IBinaryInteger<T>
    {
        ReadOnlySpan<T> prefix = [T.CreateTruncating('s'), T.CreateTruncating('k'), T.CreateTruncating('-')];
        var offset = 0;
        while (offset < before)
        {
            var at = text[offset..].IndexOf(prefix);
            if (at < 0 || offset + at >= before)
                break;
            var start = offset + at;
            var end = start + prefix.Length;
            while (end < text.Length && IsKeyChar(text[end]))
                end++;
            if (end - start - prefix.Length >= MinKeyTail && (start == 0 || !IsKeyChar(text[start - 1])))
            {
                length = end - start;
                return start;
            }
            offset = start + 1;
        }
        length = 0;
        return -1;
    }

    private static bool IsKeyChar<T>(T value) where T : unmanaged, IBinaryInteger<T>
    {
        var c = int.CreateTruncating(value);
        return c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_';
    }
}
