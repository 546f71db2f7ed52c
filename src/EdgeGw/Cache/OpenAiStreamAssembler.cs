using System.Buffers;
using System.Text.Json;
using EdgeGw.Json;
using EdgeGw.Streaming;

namespace EdgeGw.Cache;

/// <summary>
/// A captured OpenAI <c>chat.completion.chunk</c> stream → the <c>chat.completion</c> body the same
/// request gets unstreamed (content, reasoning, tool calls with their arguments, finish reason,
/// usage). Runs once at the end of a stream, off the relay path. Null when the stream did not reach
/// <c>[DONE]</c>, carried an error, or is not what EdgeGw writes.
/// </summary>
internal static class OpenAiStreamAssembler
{
    private sealed class Tool
    {
        public byte[] Id = [];
        public byte[] Name = [];
        public readonly ArrayBufferWriter<byte> Arguments = new(64);
    }

    private sealed class Choice
    {
        public readonly ArrayBufferWriter<byte> Content = new(256);
        public readonly ArrayBufferWriter<byte> Reasoning = new();
        public readonly List<Tool> Tools = [];
        public bool HasContent;
        public byte[] Finish = [];
    }

    public static byte[]? Assemble(ReadOnlyMemory<byte> sse, in Usage usage)
    {
        var parts = new ChunkParts<Choice>();
        var done = CapturedSse.ReadToDone(sse, parts, static (data, p) => ReadChunk(data, ref p.Id, ref p.Created, ref p.Model, p.Choices));
        return done && parts.Choices.Count > 0 && parts.Model.Length > 0 ? Write(parts.Id, parts.Created, parts.Model, parts.Choices, usage) : null;
    }

    /// <summary>One chunk into <paramref name="choices"/>; false for an error event.</summary>
    private static bool ReadChunk(ReadOnlySpan<byte> data, ref byte[] id, ref long created, ref byte[] model, List<Choice> choices)
    {
        var reader = new Utf8JsonReader(data);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("error"u8))
                return false;
            if (reader.ValueTextEquals("id"u8) && id.Length == 0)
            {
                reader.Read();
                id = reader.ValueSpan.ToArray();
            }
            else if (reader.ValueTextEquals("created"u8) && created == 0)
            {
                reader.Read();
                created = reader.GetInt64();
            }
            else if (reader.ValueTextEquals("model"u8) && model.Length == 0)
            {
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                model = data[start..(int)reader.BytesConsumed].ToArray();
            }
            else if (reader.ValueTextEquals("choices"u8))
            {
                reader.Read();
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                    ReadChoice(ref reader, choices);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return true;
    }

    private static void ReadChoice(ref Utf8JsonReader reader, List<Choice> choices)
    {
        Choice? choice = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueTextEquals("index"u8) ? 1 : reader.ValueTextEquals("delta"u8) ? 2 : reader.ValueTextEquals("finish_reason"u8) ? 3 : 0;
            reader.Read();
            if (name == 1)
                choice = At(choices, reader.GetInt32());
            else if (name == 2 && reader.TokenType == JsonTokenType.StartObject)
                ReadDelta(ref reader, choice ??= At(choices, 0));
            else if (name == 3 && reader.TokenType == JsonTokenType.String)
                (choice ??= At(choices, 0)).Finish = reader.ValueSpan.ToArray();
            else
                reader.Skip();
        }
    }

    private static void ReadDelta(ref Utf8JsonReader reader, Choice choice)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueTextEquals("content"u8) ? 1 : reader.ValueTextEquals("reasoning_content"u8) ? 2 : reader.ValueTextEquals("tool_calls"u8) ? 3 : 0;
            reader.Read();
            if (name == 1 && reader.TokenType == JsonTokenType.String)
            {
                choice.HasContent = true;
                choice.Content.Write(reader.ValueSpan); // still escaped: fragments concatenate as JSON string content
            }
            else if (name == 2 && reader.TokenType == JsonTokenType.String)
            {
                choice.Reasoning.Write(reader.ValueSpan);
            }
            else if (name == 3 && reader.TokenType == JsonTokenType.StartArray)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                    ReadToolCall(ref reader, choice.Tools);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static void ReadToolCall(ref Utf8JsonReader reader, List<Tool> tools)
    {
        Tool? tool = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueTextEquals("index"u8) ? 1 : reader.ValueTextEquals("id"u8) ? 2 : reader.ValueTextEquals("function"u8) ? 3 : 0;
            reader.Read();
            if (name == 1)
            {
                var index = reader.GetInt32();
                while (tools.Count <= index)
                    tools.Add(new Tool());
                tool = tools[index];
            }
            else if (name == 2 && reader.TokenType == JsonTokenType.String)
            {
                Last(ref tool, tools).Id = reader.ValueSpan.ToArray();
            }
            else if (name == 3 && reader.TokenType == JsonTokenType.StartObject)
            {
                var target = Last(ref tool, tools);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isName = reader.ValueTextEquals("name"u8);
                    var isArguments = reader.ValueTextEquals("arguments"u8);
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                        reader.Skip();
                    else if (isName)
                        target.Name = reader.ValueSpan.ToArray();
                    else if (isArguments)
                        target.Arguments.Write(reader.ValueSpan);
                }
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static Tool Last(ref Tool? tool, List<Tool> tools)
    {
        if (tool is null)
        {
            if (tools.Count == 0)
                tools.Add(new Tool());
            tool = tools[^1];
        }
        return tool;
    }

    private static Choice At(List<Choice> choices, int index)
    {
        while (choices.Count <= index)
            choices.Add(new Choice());
        return choices[index];
    }

    private static byte[] Write(byte[] id, long created, byte[] model, List<Choice> choices, in Usage usage)
    {
        var output = new ArrayBufferWriter<byte>(512);
        output.Write("{\"id\":\""u8);
        output.Write(id);
        output.Write("\",\"object\":\"chat.completion\",\"created\":"u8);
        UsageJson.WriteNumber(output, created);
        output.Write(",\"model\":"u8);
        output.Write(model);
        output.Write(",\"choices\":["u8);
        for (var i = 0; i < choices.Count; i++)
        {
            var choice = choices[i];
            if (i > 0)
                output.Write(","u8);
            output.Write("{\"index\":"u8);
            UsageJson.WriteNumber(output, i);
            output.Write(",\"message\":{\"role\":\"assistant\",\"content\":"u8);
            WriteString(output, choice.HasContent || choice.Tools.Count == 0 ? choice.Content.WrittenSpan : default, nullWhenEmpty: !choice.HasContent && choice.Tools.Count > 0);
            if (choice.Reasoning.WrittenCount > 0)
            {
                output.Write(",\"reasoning_content\":"u8);
                WriteString(output, choice.Reasoning.WrittenSpan, nullWhenEmpty: false);
            }
            if (choice.Tools.Count > 0)
                WriteTools(output, choice.Tools);
            output.Write("},\"logprobs\":null,\"finish_reason\":\""u8);
            output.Write(choice.Finish.Length > 0 ? choice.Finish : "stop"u8);
            output.Write("\"}"u8);
        }
        output.Write("],\"usage\":"u8);
        UsageJson.WriteOpenAi(output, usage);
        output.Write("}"u8);
        return output.WrittenSpan.ToArray();
    }

    private static void WriteTools(ArrayBufferWriter<byte> output, List<Tool> tools)
    {
        output.Write(",\"tool_calls\":["u8);
        for (var t = 0; t < tools.Count; t++)
        {
            if (t > 0)
                output.Write(","u8);
            output.Write("{\"id\":\""u8);
            output.Write(tools[t].Id);
            output.Write("\",\"type\":\"function\",\"function\":{\"name\":\""u8);
            output.Write(tools[t].Name);
            output.Write("\",\"arguments\":\""u8);
            output.Write(tools[t].Arguments.WrittenSpan);
            output.Write("\"}}"u8);
        }
        output.Write("]"u8);
    }

    private static void WriteString(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> escaped, bool nullWhenEmpty)
    {
        if (nullWhenEmpty)
        {
            output.Write("null"u8);
            return;
        }
        output.Write("\""u8);
        output.Write(escaped);
        output.Write("\""u8);
    }
}
