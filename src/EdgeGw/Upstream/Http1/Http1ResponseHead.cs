using System.Buffers;
using System.Buffers.Text;

namespace EdgeGw.Upstream.Http1;

/// <summary>Where one header's name and value sit in the head's bytes.</summary>
internal readonly record struct HeaderRange(int NameStart, int NameLength, int ValueStart, int ValueLength);

/// <summary>
/// A response's status line and headers, copied out of the socket's pipe (so the pipe can move on)
/// and parsed with spans: framing and the headers the gateway acts on are read here; every header
/// stays as raw bytes for the <c>llm_provider-*</c> relay. One per connection, reused per response.
/// </summary>
internal sealed class Http1ResponseHead
{
    public const int MaxBytes = 64 * 1024;
    public const int MaxHeaders = 256;

    private byte[] _bytes = new byte[1024];
    private HeaderRange[] _headers = new HeaderRange[32];

    public int Status { get; private set; }
    /// <summary>-1 when the answer gave none.</summary>
    public long ContentLength { get; private set; }
    public bool Chunked { get; private set; }
    /// <summary>The server will close the connection after this answer (Connection: close, or HTTP/1.0 without keep-alive).</summary>
    public bool Close { get; private set; }
    public int Count { get; private set; }
    public ReadOnlySpan<byte> Bytes => _bytes;

    public ReadOnlySpan<byte> Name(int index) => _bytes.AsSpan(_headers[index].NameStart, _headers[index].NameLength);

    public ReadOnlySpan<byte> Value(int index) => _bytes.AsSpan(_headers[index].ValueStart, _headers[index].ValueLength);

    /// <summary>The first value of header <paramref name="name"/> (lower case), or empty.</summary>
    public ReadOnlySpan<byte> Find(ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < Count; i++)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(Name(i), name))
                return Value(i);
        }
        return default;
    }

    /// <summary>Copies and parses a head (status line to the blank line, inclusive); false when it is not HTTP/1.x.</summary>
    public bool TryParse(in ReadOnlySequence<byte> head)
    {
        var length = (int)head.Length;
        if (_bytes.Length < length)
            _bytes = new byte[Math.Max(length, _bytes.Length * 2)];
        head.CopyTo(_bytes);
        return TryParse(_bytes.AsSpan(0, length));
    }

    private bool TryParse(ReadOnlySpan<byte> head)
    {
        Status = 0;
        ContentLength = -1;
        Chunked = false;
        Count = 0;
        // "HTTP/1.1 200 OK\r\n"
        if (head.Length < 14 || !head.StartsWith("HTTP/1."u8) || head[8] != ' ')
            return false;
        var http10 = head[7] == '0';
        if (!Utf8Parser.TryParse(head.Slice(9, 3), out int status, out var used) || used != 3 || status < 100)
            return false;
        Status = status;
        var keepAlive = !http10;
        var line = head.IndexOf("\r\n"u8);
        var at = line + 2;
        while (at < head.Length)
        {
            var end = head[at..].IndexOf("\r\n"u8);
            if (end < 0)
                return false;
            if (end == 0)
                break; // the blank line
            var text = head.Slice(at, end);
            var colon = text.IndexOf((byte)':');
            if (colon <= 0 || Count == MaxHeaders)
                return false;
            var valueStart = colon + 1;
            while (valueStart < text.Length && text[valueStart] is (byte)' ' or (byte)'\t')
                valueStart++;
            var valueEnd = text.Length;
            while (valueEnd > valueStart && text[valueEnd - 1] is (byte)' ' or (byte)'\t')
                valueEnd--;
            if (Count == _headers.Length)
                Array.Resize(ref _headers, _headers.Length * 2);
            _headers[Count++] = new HeaderRange(at, colon, at + valueStart, valueEnd - valueStart);
            var name = text[..colon];
            var value = text[valueStart..valueEnd];
            if (System.Text.Ascii.EqualsIgnoreCase(name, "content-length"u8))
            {
                if (!Utf8Parser.TryParse(value, out long contentLength, out used) || used != value.Length || contentLength < 0)
                    return false;
                ContentLength = contentLength;
            }
            else if (System.Text.Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
            {
                Chunked = EndsWithToken(value, "chunked"u8);
            }
            else if (System.Text.Ascii.EqualsIgnoreCase(name, "connection"u8))
            {
                if (ContainsToken(value, "close"u8))
                    keepAlive = false;
                else if (ContainsToken(value, "keep-alive"u8))
                    keepAlive = true;
            }
            at += end + 2;
        }
        Close = !keepAlive;
        return true;
    }

    /// <summary>Whether the answer has no body whatever its headers say (RFC 9112 §6.3).</summary>
    public bool NoBody => Status is 204 or 304 || Status < 200;

    private static bool EndsWithToken(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        var last = value.LastIndexOf((byte)',');
        var tail = value[(last + 1)..].Trim(" \t"u8);
        return System.Text.Ascii.EqualsIgnoreCase(tail, token);
    }

    private static bool ContainsToken(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        while (!value.IsEmpty)
        {
            var comma = value.IndexOf((byte)',');
            var part = (comma < 0 ? value : value[..comma]).Trim(" \t"u8);
            if (System.Text.Ascii.EqualsIgnoreCase(part, token))
                return true;
            value = comma < 0 ? default : value[(comma + 1)..];
        }
        return false;
    }
}
