using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace EdgeGw.Bench;

/// <summary>Synthetic Bedrock <c>ConverseStream</c> bodies: AWS event-stream frames (both CRCs) as Bedrock sends them, padding member included.</summary>
public static class BedrockStreamFixtures
{
    public const int Events = 1024; // long enough that per-stream setup rounds to 0 B per event

    /// <summary>messageStart, <paramref name="events"/> text deltas, then the closing events.</summary>
    public static byte[] TextStream(int events = Events) => Build(events, toolEvery: 0);

    /// <summary>As <see cref="TextStream"/>, with every 8th event a tool call's input fragment.</summary>
    public static byte[] MixedStream(int events = Events) => Build(events, toolEvery: 8);

    private static byte[] Build(int events, int toolEvery)
    {
        using var stream = new MemoryStream();
        Write(stream, "messageStart", """{"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0","role":"assistant"}""");
        if (toolEvery > 0)
            Write(stream, "contentBlockStart", """{"contentBlockIndex":1,"start":{"toolUse":{"toolUseId":"tooluse_bench","name":"get_weather"}},"p":"abcd"}""");
        for (var i = 0; i < events; i++)
        {
            if (toolEvery > 0 && i % toolEvery == 0)
                Write(stream, "contentBlockDelta", "{\"contentBlockIndex\":1,\"delta\":{\"toolUse\":{\"input\":\"{\\\"city\\\":\\\"Paris\\\",\\\"day\\\":" + (i % 7) + "\"}},\"p\":\"abcdefgh\"}");
            else
                Write(stream, "contentBlockDelta", $$"""{"contentBlockIndex":0,"delta":{"text":" token{{i}}"},"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"}""");
        }
        Write(stream, "contentBlockStop", """{"contentBlockIndex":0,"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQR"}""");
        Write(stream, "messageStop", """{"stopReason":"end_turn","p":"abcdefghijklmnopqrstuvwx"}""");
        Write(stream, "metadata", """{"usage":{"inputTokens":20,"outputTokens":1025,"totalTokens":1045},"metrics":{"latencyMs":2500},"p":"abcdefghij"}""");
        return stream.ToArray();
    }

    private static void Write(Stream stream, string eventType, string json) => stream.Write(Frame(eventType, Encoding.UTF8.GetBytes(json)));

    /// <summary>One event frame: total, headers length, prelude CRC, headers (all strings), payload, message CRC.</summary>
    public static byte[] Frame(string eventType, byte[] payload)
    {
        var headers = new MemoryStream();
        foreach (var (name, value) in new[] { (":event-type", eventType), (":content-type", "application/json"), (":message-type", "event") })
        {
            headers.WriteByte((byte)name.Length);
            headers.Write(Encoding.UTF8.GetBytes(name));
            headers.WriteByte(7);
            var bytes = Encoding.UTF8.GetBytes(value);
            headers.WriteByte((byte)(bytes.Length >> 8));
            headers.WriteByte((byte)bytes.Length);
            headers.Write(bytes);
        }
        var head = headers.ToArray();
        var total = 12 + head.Length + payload.Length + 4;
        var frame = new byte[total];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)total);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)head.Length);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8), Crc32.HashToUInt32(frame.AsSpan(0, 8)));
        head.CopyTo(frame, 12);
        payload.CopyTo(frame, 12 + head.Length);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(total - 4), Crc32.HashToUInt32(frame.AsSpan(0, total - 4)));
        return frame;
    }
}
