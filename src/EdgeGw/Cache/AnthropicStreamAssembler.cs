using System.Buffers;
using System.Text.Json;
using EdgeGw.Json;
using EdgeGw.Streaming;

namespace EdgeGw.Cache;

/// <summary>
/// A captured Anthropic Messages stream → the <c>message</c> body the same request gets unstreamed:
/// text, thinking (with its signature) and tool_use blocks (their <c>input_json_delta</c>s parsed
/// back into <c>input</c>), other blocks as they started, stop reason and usage. Runs once at the
/// end of a stream, off the relay path. Null when the stream did not reach <c>message_stop</c>,
/// carried an error, or holds a delta this does not know how to fold.
/// </summary>
internal static class AnthropicStreamAssembler
{
    private sealed class Block
    {
        public byte[] Start = [];
        public byte[] Type = [];
        public readonly ArrayBufferWriter<byte> Text = new(256);
        public readonly ArrayBufferWriter<byte> Signature = new();
    }

    public static byte[]? Assemble(ReadOnlyMemory<byte> sse, in Usage usage)
    {
        byte[] id = [], model = [], stopReason = "null"u8.ToArray(), stopSequence = "null"u8.ToArray();
        var blocks = new List<Block>();
        var stopped = false;
        using var parser = new SseParser();
        var buffer = new ReadOnlySequence<byte>(sse);
        try
        {
            while (!stopped && parser.TryRead(ref buffer, out var sseEvent))
            {
                var type = sseEvent.EventType;
                var data = sseEvent.Data;
                if (type.SequenceEqual("message_start"u8))
                    ReadMessageStart(data, ref id, ref model);
                else if (type.SequenceEqual("content_block_start"u8))
                    blocks.Add(ReadBlockStart(data));
                else if (type.SequenceEqual("content_block_delta"u8))
                {
                    if (!ReadDelta(data, blocks))
                        return null;
                }
                else if (type.SequenceEqual("message_delta"u8))
                    ReadMessageDelta(data, ref stopReason, ref stopSequence);
                else if (type.SequenceEqual("message_stop"u8))
                    stopped = true;
                else if (type.SequenceEqual("error"u8))
                    return null;
            }
            return stopped && model.Length > 0 ? Write(id, model, blocks, stopReason, stopSequence, usage) : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private static void ReadMessageStart(ReadOnlySpan<byte> data, ref byte[] id, ref byte[] model)
    {
        var reader = Open(data, "message"u8);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueTextEquals("id"u8) ? 1 : reader.ValueTextEquals("model"u8) ? 2 : 0;
            reader.Read();
            if (name == 1 && reader.TokenType == JsonTokenType.String)
                id = reader.ValueSpan.ToArray();
            else if (name == 2)
                model = Raw(ref reader, data);
            else
                reader.Skip();
        }
    }

    private static Block ReadBlockStart(ReadOnlySpan<byte> data)
    {
        var reader = Open(data, "content_block"u8);
        var start = (int)reader.TokenStartIndex;
        var block = new Block();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isType = reader.ValueTextEquals("type"u8);
            reader.Read();
            if (isType && reader.TokenType == JsonTokenType.String)
                block.Type = reader.ValueSpan.ToArray();
            else
                reader.Skip();
        }
        block.Start = data[start..(int)reader.BytesConsumed].ToArray();
        return block;
    }

    /// <summary>Appends a delta to the open (last) block; false for a delta kind this cannot fold back.</summary>
    private static bool ReadDelta(ReadOnlySpan<byte> data, List<Block> blocks)
    {
        if (blocks.Count == 0)
            return false;
        var block = blocks[^1];
        var reader = Open(data, "delta"u8);
        var kind = 0; // 1 text/thinking/partial_json, 2 signature
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueTextEquals("type"u8) ? 1
                : reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("thinking"u8) || reader.ValueTextEquals("partial_json"u8) ? 2
                : reader.ValueTextEquals("signature"u8) ? 3 : 0;
            reader.Read();
            if (name == 1)
            {
                kind = reader.ValueTextEquals("text_delta"u8) || reader.ValueTextEquals("thinking_delta"u8) || reader.ValueTextEquals("input_json_delta"u8) ? 1
                    : reader.ValueTextEquals("signature_delta"u8) ? 2 : -1;
                if (kind < 0)
                    return false;
            }
            else if (name == 2 && reader.TokenType == JsonTokenType.String)
            {
                block.Text.Write(reader.ValueSpan); // escaped fragments concatenate as JSON string content
            }
            else if (name == 3 && reader.TokenType == JsonTokenType.String)
            {
                block.Signature.Write(reader.ValueSpan);
            }
            else
            {
                reader.Skip();
            }
        }
        return kind > 0;
    }

    private static void ReadMessageDelta(ReadOnlySpan<byte> data, ref byte[] stopReason, ref byte[] stopSequence)
    {
        var reader = Open(data, "delta"u8);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isReason = reader.ValueTextEquals("stop_reason"u8);
            var isSequence = reader.ValueTextEquals("stop_sequence"u8);
            reader.Read();
            if (isReason)
                stopReason = Raw(ref reader, data);
            else if (isSequence)
                stopSequence = Raw(ref reader, data);
            else
                reader.Skip();
        }
    }

    /// <summary>A reader positioned on the start of the object property <paramref name="name"/> of the event.</summary>
    private static Utf8JsonReader Open(ReadOnlySpan<byte> data, ReadOnlySpan<byte> name)
    {
        var reader = new Utf8JsonReader(data);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var found = reader.ValueTextEquals(name);
            reader.Read();
            if (found && reader.TokenType == JsonTokenType.StartObject)
                return reader;
            reader.Skip();
        }
        throw new JsonException("an event without its object");
    }

    private static byte[] Raw(ref Utf8JsonReader reader, ReadOnlySpan<byte> data)
    {
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return data[start..(int)reader.BytesConsumed].ToArray();
    }

    private static byte[] Write(byte[] id, byte[] model, List<Block> blocks, byte[] stopReason, byte[] stopSequence, in Usage usage)
    {
        var output = new ArrayBufferWriter<byte>(512);
        output.Write("{\"id\":\""u8);
        output.Write(id);
        output.Write("\",\"type\":\"message\",\"role\":\"assistant\",\"model\":"u8);
        output.Write(model);
        output.Write(",\"content\":["u8);
        for (var i = 0; i < blocks.Count; i++)
        {
            if (i > 0)
                output.Write(","u8);
            WriteBlock(output, blocks[i]);
        }
        output.Write("],\"stop_reason\":"u8);
        output.Write(stopReason);
        output.Write(",\"stop_sequence\":"u8);
        output.Write(stopSequence);
        output.Write(",\"usage\":"u8);
        UsageJson.WriteAnthropic(output, usage);
        output.Write("}"u8);
        return output.WrittenSpan.ToArray();
    }

    private static void WriteBlock(ArrayBufferWriter<byte> output, Block block)
    {
        var type = block.Type.AsSpan();
        if (type.SequenceEqual("text"u8))
        {
            output.Write("{\"type\":\"text\",\"text\":\""u8);
            output.Write(block.Text.WrittenSpan);
            output.Write("\"}"u8);
        }
        else if (type.SequenceEqual("thinking"u8))
        {
            output.Write("{\"type\":\"thinking\",\"thinking\":\""u8);
            output.Write(block.Text.WrittenSpan);
            output.Write("\",\"signature\":\""u8);
            output.Write(block.Signature.WrittenSpan);
            output.Write("\"}"u8);
        }
        else if (block.Text.WrittenCount > 0)
        {
            // tool_use (and server tools): the start's fields, input replaced by the streamed JSON.
            var start = block.Start.AsSpan();
            var input = start.IndexOf("\"input\":{}"u8);
            if (input < 0)
                throw new JsonException("a streamed input without an empty input to fill");
            output.Write(start[..(input + 8)]);
            WriteInput(output, block.Text.WrittenSpan);
            output.Write(start[(input + 10)..]);
        }
        else
        {
            output.Write(block.Start);
        }
    }

    /// <summary>The streamed <c>partial_json</c> (escaped string content) unescaped back into the JSON it spells.</summary>
    private static void WriteInput(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> escaped)
    {
        var quoted = new byte[escaped.Length + 2];
        quoted[0] = quoted[^1] = (byte)'"';
        escaped.CopyTo(quoted.AsSpan(1));
        var reader = new Utf8JsonReader(quoted);
        reader.Read();
        var json = output.GetSpan(escaped.Length);
        var written = reader.CopyString(json);
        var check = new Utf8JsonReader(json[..written]);
        check.Read();
        check.Skip(); // throws on input that is not one JSON value
        output.Advance(written);
    }
}
