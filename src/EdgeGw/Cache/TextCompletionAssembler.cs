using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using EdgeGw.Json;
using EdgeGw.Streaming;

namespace EdgeGw.Cache;

/// <summary>
/// A captured legacy <c>text_completion</c> stream → the body the same request gets unstreamed
/// (each choice's text, finish reason, usage). Runs once at the end of a stream, off the relay path.
/// Null when the stream did not reach <c>[DONE]</c> or carried an error.
/// </summary>
internal static class TextCompletionAssembler
{
    private sealed class Choice
    {
        public readonly ArrayBufferWriter<byte> Text = new(256);
        public byte[] Finish = "null"u8.ToArray();
    }

    public static byte[]? Assemble(ReadOnlyMemory<byte> sse, in Usage usage)
    {
        var parts = new ChunkParts<Choice>();
        var done = CapturedSse.ReadToDone(sse, parts, static (data, p) => ReadChunk(data, p));
        return done && parts.Choices.Count > 0 && parts.Model.Length > 0 ? Write(parts.Id, parts.Created, parts.Model, parts.Choices, usage) : null;
    }

    private static bool ReadChunk(ReadOnlySpan<byte> data, ChunkParts<Choice> parts)
    {
        using var chunk = JsonDocument.Parse(data.ToArray());
        var root = chunk.RootElement;
        if (root.TryGetProperty("error", out _))
            return false;
        if (parts.Id.Length == 0 && root.TryGetProperty("id", out var i))
            parts.Id = JsonMarshal.GetRawUtf8Value(i).ToArray();
        if (parts.Model.Length == 0 && root.TryGetProperty("model", out var m))
            parts.Model = JsonMarshal.GetRawUtf8Value(m).ToArray();
        if (parts.Created == 0 && root.TryGetProperty("created", out var c) && c.ValueKind == JsonValueKind.Number)
            parts.Created = c.GetInt64();
        if (!root.TryGetProperty("choices", out var list) || list.ValueKind != JsonValueKind.Array)
            return true;
        foreach (var item in list.EnumerateArray())
        {
            var index = item.TryGetProperty("index", out var n) && n.ValueKind == JsonValueKind.Number ? n.GetInt32() : 0;
            if (index is < 0 or > 127)
                return false;
            while (parts.Choices.Count <= index)
                parts.Choices.Add(new Choice());
            parts.Choices[index].Text.Write(StreamReplay.Content(item, "text"));
            if (item.TryGetProperty("finish_reason", out var finish) && finish.ValueKind == JsonValueKind.String)
                parts.Choices[index].Finish = JsonMarshal.GetRawUtf8Value(finish).ToArray();
        }
        return true;
    }

    private static byte[] Write(byte[] id, long created, byte[] model, List<Choice> choices, in Usage usage)
    {
        var output = new ArrayBufferWriter<byte>(256 + choices.Sum(c => c.Text.WrittenCount));
        output.Write("{\"id\":"u8);
        output.Write(id.Length > 0 ? id : "\"\""u8);
        output.Write(",\"object\":\"text_completion\",\"created\":"u8);
        UsageJson.WriteNumber(output, created);
        output.Write(",\"model\":"u8);
        output.Write(model);
        output.Write(",\"choices\":["u8);
        for (var i = 0; i < choices.Count; i++)
        {
            output.Write(i == 0 ? "{\"text\":\""u8 : ",{\"text\":\""u8);
            output.Write(choices[i].Text.WrittenSpan);
            output.Write("\",\"index\":"u8);
            UsageJson.WriteNumber(output, i);
            output.Write(",\"logprobs\":null,\"finish_reason\":"u8);
            output.Write(choices[i].Finish);
            output.Write("}"u8);
        }
        output.Write("],\"usage\":"u8);
        UsageJson.WriteOpenAi(output, usage);
        output.Write("}"u8);
        return output.WrittenSpan.ToArray();
    }
}
