using System.Buffers;

namespace EdgeGw.Json;

/// <summary>
/// Turns raw JSON bytes (a tool call's arguments object, as Gemini and Ollama send it) into JSON
/// string content, because OpenAI carries tool arguments as a string. Copies runs of safe bytes;
/// escapes only quote, backslash and control bytes. UTF-8 above ASCII passes through unchanged.
/// </summary>
internal static class JsonStringEscape
{
    private static readonly SearchValues<byte> Special = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f\"\\"u8);

    private static ReadOnlySpan<byte> Hex => "0123456789abcdef"u8;

    /// <summary>The most bytes <see cref="Escape"/> can write for <paramref name="length"/> input bytes.</summary>
    public static int MaxLength(int length) => length * 6;

    /// <summary>Writes the escaped form of <paramref name="raw"/> into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Escape(ReadOnlySpan<byte> raw, Span<byte> destination)
    {
        var written = 0;
        while (true)
        {
            var next = raw.IndexOfAny(Special);
            if (next < 0)
            {
                raw.CopyTo(destination[written..]);
                return written + raw.Length;
            }
            raw[..next].CopyTo(destination[written..]);
            written += next;
            var b = raw[next];
            destination[written++] = (byte)'\\';
            switch (b)
            {
                case (byte)'"' or (byte)'\\':
                    destination[written++] = b;
                    break;
                case (byte)'\n':
                    destination[written++] = (byte)'n';
                    break;
                case (byte)'\r':
                    destination[written++] = (byte)'r';
                    break;
                case (byte)'\t':
                    destination[written++] = (byte)'t';
                    break;
                default:
                    destination[written++] = (byte)'u';
                    destination[written++] = (byte)'0';
                    destination[written++] = (byte)'0';
                    destination[written++] = Hex[b >> 4];
                    destination[written++] = Hex[b & 0xF];
                    break;
            }
            raw = raw[(next + 1)..];
        }
    }
}
