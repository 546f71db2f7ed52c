using System.Buffers.Text;

namespace EdgeGw.Shared;

/// <summary>
/// One RESP2 reply, as far as the admission line needs them: an array of integers (what the scripts
/// return), a single integer, a status (<c>+OK</c>) or, in the handshake, a bulk string (both read as
/// <see cref="Ok"/>: FUNCTION LOAD's library name), or an error. Parsed from bytes without copying;
/// anything else is a protocol error the line answers by reconnecting.
/// </summary>
internal readonly record struct RespReply(long[]? Integers, string? Error)
{
    private const int MaxItems = 64; // admit.lua answers with at most 5

    public static RespReply Ok { get; } = new(null, null);

    /// <summary>True with the reply and its length when <paramref name="data"/> starts with a whole one.</summary>
    /// <param name="bulk">Bulk strings expected (the handshake's FUNCTION LOAD); never in a script's reply.</param>
    /// <exception cref="InvalidDataException">Not a reply this line understands.</exception>
    public static bool TryParse(ReadOnlySpan<byte> data, out RespReply reply, out int consumed, bool bulk = false)
    {
        reply = default;
        consumed = 0;
        if (!TryLine(data, out var line, out var used))
            return false;
        switch (line[0])
        {
            case (byte)'+':
                consumed = used;
                reply = Ok;
                return true;
            case (byte)'-':
                consumed = used;
                reply = new RespReply(null, System.Text.Encoding.UTF8.GetString(line[1..]));
                return true;
            case (byte)'$' when bulk:
                var size = Integer(line);
                var total = size < 0 ? used : used + (int)size + 2;
                if (size > data.Length || data.Length < total)
                    return false;
                if (size >= 0 && !data[(total - 2)..total].SequenceEqual("\r\n"u8))
                    throw new InvalidDataException("a bulk string not ended by CRLF");
                consumed = total;
                reply = Ok;
                return true;
            case (byte)':':
                consumed = used;
                reply = new RespReply([Integer(line)], null);
                return true;
            case (byte)'*':
                var count = Integer(line);
                if (count is < 0 or > MaxItems)
                    throw new InvalidDataException($"a reply of {count} items");
                var items = new long[count];
                for (var i = 0; i < count; i++)
                {
                    if (!TryLine(data[used..], out var item, out var length))
                        return false;
                    if (item[0] != (byte)':')
                        throw new InvalidDataException("an array item that is not an integer");
                    items[i] = Integer(item);
                    used += length;
                }
                consumed = used;
                reply = new RespReply(items, null);
                return true;
            default:
                throw new InvalidDataException($"a reply starting with '{(char)line[0]}'");
        }
    }

    private static bool TryLine(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> line, out int used)
    {
        var end = data.IndexOf("\r\n"u8);
        if (end < 1)
        {
            if (end == 0)
                throw new InvalidDataException("an empty reply line");
            line = default;
            used = 0;
            return false;
        }
        line = data[..end];
        used = end + 2;
        return true;
    }

    private static long Integer(ReadOnlySpan<byte> line) =>
        Utf8Parser.TryParse(line[1..], out long value, out var read) && read == line.Length - 1
            ? value
            : throw new InvalidDataException("a malformed integer");
}
