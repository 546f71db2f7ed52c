using System.Buffers.Binary;
using System.Text;

namespace EdgeGw.Tests.Infrastructure;

/// <summary>
/// The test side's own <c>application/vnd.amazon.eventstream</c> encoder (Smithy's codec layout),
/// with its own bitwise CRC32 so the gateway's decoder is checked against an independent one:
/// <c>total u32 | headers u32 | CRC32(8 B) | headers | payload | CRC32(all before)</c>, big-endian.
/// A fake Bedrock upstream writes these bytes as its ConverseStream body.
/// </summary>
internal static class AwsEventStreamFrames
{
    /// <summary>An event frame as Bedrock sends it: <c>:event-type</c>, <c>:content-type</c>, <c>:message-type: event</c>.</summary>
    public static byte[] Event(string eventType, string json) => Frame(
        [(":event-type", eventType), (":content-type", "application/json"), (":message-type", "event")],
        Encoding.UTF8.GetBytes(json));

    /// <summary>A modelled exception mid-stream (throttlingException, validationException, …), payload <c>{"message":"…"}</c>.</summary>
    public static byte[] Exception(string exceptionType, string message) => Frame(
        [(":exception-type", exceptionType), (":content-type", "application/json"), (":message-type", "exception")],
        Encoding.UTF8.GetBytes($"{{\"message\":\"{message}\"}}"));

    /// <summary>A protocol-level error: code and message in headers, no payload.</summary>
    public static byte[] Error(string code, string message) => Frame(
        [(":error-code", code), (":error-message", message), (":message-type", "error")], []);

    /// <summary>
    /// One frame. Header values by CLR type: bool (types 0/1), sbyte (2), short (3), int (4), long (5),
    /// byte[] (6), string (7), DateTimeOffset (8, epoch milliseconds), Guid (9, RFC 4122 byte order).
    /// </summary>
    public static byte[] Frame(IEnumerable<(string Name, object Value)> headers, byte[] payload)
    {
        var headerBytes = new List<byte>();
        foreach (var (name, value) in headers)
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            headerBytes.Add((byte)nameBytes.Length);
            headerBytes.AddRange(nameBytes);
            headerBytes.AddRange(Value(value));
        }
        return Frame([.. headerBytes], payload);
    }

    /// <summary>A frame around headers given as raw bytes (malformed ones too), both CRCs right.</summary>
    public static byte[] Frame(byte[] headers, byte[] payload)
    {
        var total = 12 + headers.Length + payload.Length + 4;
        var frame = new byte[total];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)total);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)headers.Length);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8), Crc32(frame.AsSpan(0, 8)));
        headers.CopyTo(frame, 12);
        payload.CopyTo(frame, 12 + headers.Length);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(total - 4), Crc32(frame.AsSpan(0, total - 4)));
        return frame;
    }

    /// <summary>A bare prelude claiming <paramref name="total"/> and <paramref name="headers"/> lengths, its CRC right.</summary>
    public static byte[] Prelude(uint total, uint headers)
    {
        var prelude = new byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(prelude, total);
        BinaryPrimitives.WriteUInt32BigEndian(prelude.AsSpan(4), headers);
        BinaryPrimitives.WriteUInt32BigEndian(prelude.AsSpan(8), Crc32(prelude.AsSpan(0, 8)));
        return prelude;
    }

    private static byte[] Value(object value)
    {
        switch (value)
        {
            case bool flag:
                return [(byte)(flag ? 0 : 1)];
            case sbyte b:
                return [2, (byte)b];
            case short s:
                return Typed(3, 2, span => BinaryPrimitives.WriteInt16BigEndian(span, s));
            case int i:
                return Typed(4, 4, span => BinaryPrimitives.WriteInt32BigEndian(span, i));
            case long l:
                return Typed(5, 8, span => BinaryPrimitives.WriteInt64BigEndian(span, l));
            case byte[] bytes:
                return [6, .. Length16(bytes.Length), .. bytes];
            case string text:
                var utf8 = Encoding.UTF8.GetBytes(text);
                return [7, .. Length16(utf8.Length), .. utf8];
            case DateTimeOffset time:
                return Typed(8, 8, span => BinaryPrimitives.WriteInt64BigEndian(span, time.ToUnixTimeMilliseconds()));
            case Guid uuid:
                return [9, .. uuid.ToByteArray(bigEndian: true)];
            default:
                throw new ArgumentException($"no event-stream header type for {value.GetType().Name}", nameof(value));
        }
    }

    private static byte[] Typed(byte type, int length, SpanAction write)
    {
        var bytes = new byte[1 + length];
        bytes[0] = type;
        write(bytes.AsSpan(1));
        return bytes;
    }

    private delegate void SpanAction(Span<byte> span);

    private static byte[] Length16(int length)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, checked((ushort)length));
        return bytes;
    }

    /// <summary>CRC-32/IEEE (zlib's), bit by bit: slow and obviously the definition.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFF_FFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320u : crc >> 1;
        }
        return ~crc;
    }
}
