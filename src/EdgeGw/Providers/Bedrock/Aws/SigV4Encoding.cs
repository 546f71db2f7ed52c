using System.Text;

namespace EdgeGw.Providers.Bedrock.Aws;

/// <summary>
/// Writes the canonical request of SigV4 into a byte span: AWS's URI encoding (RFC 3986 unreserved
/// characters kept, everything else as upper-case <c>%XX</c> of its UTF-8 bytes), lower-case names and hex.
/// </summary>
internal ref struct SigV4Encoding(Span<byte> buffer)
{
    private readonly Span<byte> _buffer = buffer;
    private int _length;

    public readonly ReadOnlySpan<byte> Written => _buffer[.._length];

    /// <summary>Bytes <see cref="UriEncode"/> may write for <paramref name="chars"/> chars: a UTF-16 char is at most 3 UTF-8 bytes, each 3 bytes encoded.</summary>
    public static int MaxEncodedLength(int chars) => chars * 9;

    public void Byte(byte value) => _buffer[_length++] = value;

    public void Ascii(scoped ReadOnlySpan<byte> utf8)
    {
        utf8.CopyTo(_buffer[_length..]);
        _length += utf8.Length;
    }

    public void Utf8(scoped ReadOnlySpan<char> text) => _length += Encoding.UTF8.GetBytes(text, _buffer[_length..]);

    public void Lower(scoped ReadOnlySpan<char> asciiName)
    {
        foreach (var c in asciiName)
            _buffer[_length++] = (byte)char.ToLowerInvariant(c);
    }

    /// <summary>AWS's UriEncode; <paramref name="keepSlash"/> for the path, where '/' separates segments.</summary>
    public void UriEncode(scoped ReadOnlySpan<char> text, bool keepSlash)
    {
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.IsAscii && (IsUnreserved((char)rune.Value) || (keepSlash && rune.Value == '/')))
            {
                _buffer[_length++] = (byte)rune.Value;
                continue;
            }
            var n = rune.EncodeToUtf8(utf8);
            for (var i = 0; i < n; i++)
            {
                _buffer[_length++] = (byte)'%';
                _buffer[_length++] = (byte)HexUpper[utf8[i] >> 4];
                _buffer[_length++] = (byte)HexUpper[utf8[i] & 0xF];
            }
        }
    }

    /// <summary>A header value as SigV4 canonicalizes it: trimmed, runs of spaces folded to one.</summary>
    public void HeaderValue(scoped ReadOnlySpan<char> value)
    {
        value = value.Trim();
        // Almost every value (a token, a date, a media type) has no double space: copy it in one vectorized call.
        if (!value.Contains("  ", StringComparison.Ordinal))
        {
            Utf8(value);
            return;
        }
        var previousSpace = false;
        foreach (var c in value)
        {
            var space = c == ' ';
            if (space && previousSpace)
                continue;
            previousSpace = space;
            if (c < 0x80)
                _buffer[_length++] = (byte)c;
            else
                Utf8([c]);
        }
    }

    public void HexLower(scoped ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            _buffer[_length++] = (byte)HexLowerChars[b >> 4];
            _buffer[_length++] = (byte)HexLowerChars[b & 0xF];
        }
    }

    public static bool IsUnreserved(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~';

    private const string HexUpper = "0123456789ABCDEF";
    public const string HexLowerChars = "0123456789abcdef";
}
