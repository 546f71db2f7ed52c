using System.Text;

namespace EdgeGw.Json;

/// <summary>ASCII case-insensitive matching on UTF-8 bytes: data URLs are inspected without decoding a multi-megabyte payload.</summary>
internal static class Utf8Text
{
    public static bool StartsWithIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> prefix) =>
        text.Length >= prefix.Length && Ascii.EqualsIgnoreCase(text[..prefix.Length], prefix);

    public static int IndexOfIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> value)
    {
        for (var i = 0; i + value.Length <= text.Length; i++)
        {
            var next = text[i..].IndexOfAny((byte)char.ToLowerInvariant((char)value[0]), (byte)char.ToUpperInvariant((char)value[0]));
            if (next < 0)
                return -1;
            i += next;
            if (i + value.Length <= text.Length && Ascii.EqualsIgnoreCase(text.Slice(i, value.Length), value))
                return i;
        }
        return -1;
    }
}
