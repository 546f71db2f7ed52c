using System.Buffers;
using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Buffers;
using EdgeGw.Json;
using EdgeGw.Streaming;
using EdgeGw.Upstream;

namespace EdgeGw.Providers.Ollama;

/// <summary>
/// Ollama's NDJSON stream (one object a line, from <see cref="NdjsonFramer"/>) → the canonical
/// stream events. <c>/api/chat</c> lines carry <c>message.content</c> / <c>message.thinking</c>
/// deltas and whole <c>message.tool_calls</c> (arguments as an object, escaped here into OpenAI's
/// string); <c>/api/generate</c> lines carry <c>response</c> / <c>thinking</c>. The <c>done: true</c>
/// line ends the stream with <c>done_reason</c> and the usage (<c>prompt_eval_count</c>,
/// <c>eval_count</c>); a <c>{"error":"…"}</c> line ends it with an in-band error; EOF before
/// <c>done</c> is a broken stream. Tool calls without an <c>id</c> get <see cref="ToolCallIds"/>
/// seeded by the first line's <c>created_at</c>. State lives in fields: no allocation per line.
/// </summary>
internal sealed class OllamaStreamDecoder<TEncoder>(TEncoder encoder, string deploymentName, string? apiKey = null)
    : ChatStreamDecoder<TEncoder>(encoder, deploymentName)
    where TEncoder : IChatStreamEncoder
{
    private ulong _idSeed;
    private int _toolCalls;
    private bool _started;

    /// <summary>What one line said, as spans into it.</summary>
    private ref struct Line
    {
        public ReadOnlySpan<byte> Text, Thinking, ToolCalls, DoneReason, CreatedAt;
        public bool Done;
        public long PromptTokens, CompletionTokens;
    }

    public override bool OnEvent(in SseEvent sseEvent, IBufferWriter<byte> output)
    {
        if (Over)
            return false;
        var data = sseEvent.Data;
        var line = default(Line);
        try
        {
            var reader = new Utf8JsonReader(data);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return Malformed(output);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    Fail(OllamaErrorMapper.FromStream(ref reader, DeploymentName, apiKey), output);
                    return false;
                }
                if (reader.ValueTextEquals("message"u8))
                {
                    reader.Read();
                    if (!Message(ref reader, data, ref line))
                        return Malformed(output);
                }
                else if (reader.ValueTextEquals("response"u8))
                    line.Text = ReadString(ref reader);
                else if (reader.ValueTextEquals("thinking"u8))
                    line.Thinking = ReadString(ref reader);
                else if (reader.ValueTextEquals("done"u8))
                {
                    reader.Read();
                    line.Done = reader.TokenType == JsonTokenType.True;
                }
                else if (reader.ValueTextEquals("done_reason"u8))
                    line.DoneReason = ReadString(ref reader);
                else if (reader.ValueTextEquals("created_at"u8))
                    line.CreatedAt = ReadString(ref reader);
                else if (reader.ValueTextEquals("prompt_eval_count"u8))
                    line.PromptTokens = ReadLong(ref reader);
                else if (reader.ValueTextEquals("eval_count"u8))
                    line.CompletionTokens = ReadLong(ref reader);
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
                return Malformed(output);
            return Emit(line, output);
        }
        catch (JsonException)
        {
            return Malformed(output);
        }
    }

    private bool Emit(in Line line, IBufferWriter<byte> output)
    {
        if (!_started)
        {
            _started = true;
            _idSeed = ToolCallIds.Seed(line.CreatedAt);
            Encoder.Start(output, default);
        }
        if (!line.Thinking.IsEmpty)
            Encoder.Reasoning(output, 0, line.Thinking);
        if (!line.Text.IsEmpty)
            Encoder.Text(output, 0, line.Text);
        if (!line.ToolCalls.IsEmpty && !ToolCalls(line.ToolCalls, output))
            return Malformed(output);
        if (!line.Done)
            return true;
        Finished = true;
        CurrentUsage = new Usage { Present = true, PromptTokens = line.PromptTokens, CompletionTokens = line.CompletionTokens };
        Encoder.Finish(output, 0, OllamaWire.MapDoneReason(line.DoneReason, _toolCalls > 0));
        return false; // Ollama sends nothing after done: the stream is complete
    }

    /// <summary>Reads the <c>message</c> object through its end; false when it is not one.</summary>
    private static bool Message(ref Utf8JsonReader reader, ReadOnlySpan<byte> data, ref Line line)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            return false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("content"u8))
                line.Text = ReadString(ref reader);
            else if (reader.ValueTextEquals("thinking"u8))
                line.Thinking = ReadString(ref reader);
            else if (reader.ValueTextEquals("tool_calls"u8))
            {
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                var isArray = reader.TokenType == JsonTokenType.StartArray;
                reader.Skip();
                if (isArray)
                    line.ToolCalls = data[start..(int)reader.BytesConsumed];
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return true;
    }

    private bool ToolCalls(ReadOnlySpan<byte> calls, IBufferWriter<byte> output)
    {
        var reader = new Utf8JsonReader(calls);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            ReadOnlySpan<byte> id = default, name = default, args = default;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("id"u8))
                    id = ReadString(ref reader);
                else if (reader.ValueTextEquals("function"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject)
                        return false;
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (reader.ValueTextEquals("name"u8))
                            name = ReadString(ref reader);
                        else if (reader.ValueTextEquals("arguments"u8))
                        {
                            reader.Read();
                            var start = (int)reader.TokenStartIndex;
                            var isObject = reader.TokenType == JsonTokenType.StartObject;
                            reader.Skip();
                            if (isObject)
                                args = calls[start..(int)reader.BytesConsumed];
                        }
                        else
                        {
                            reader.Read();
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            if (name.IsEmpty)
                return false;
            ToolCall(output, id, name, args);
        }
        return reader.TokenType == JsonTokenType.EndArray;
    }

    private void ToolCall(IBufferWriter<byte> output, ReadOnlySpan<byte> id, ReadOnlySpan<byte> name, ReadOnlySpan<byte> args)
    {
        var index = _toolCalls++;
        var idLength = id.IsEmpty ? ToolCallIds.Length : 0;
        var scratch = Scratch.Get(idLength + Math.Max(2, JsonStringEscape.MaxLength(args.Length)));
        if (id.IsEmpty)
        {
            ToolCallIds.Write(scratch, _idSeed, 0, index);
            id = scratch[..idLength];
        }
        Encoder.ToolCallStart(output, 0, index, id, name);
        var arguments = scratch[idLength..];
        int length;
        if (args.IsEmpty)
        {
            "{}"u8.CopyTo(arguments);
            length = 2;
        }
        else
        {
            length = JsonStringEscape.Escape(args, arguments);
        }
        Encoder.ToolArguments(output, 0, index, arguments[..length]);
    }

    /// <summary>A string value's escaped content; empty for any other kind.</summary>
    private static ReadOnlySpan<byte> ReadString(scoped ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
            return reader.ValueSpan;
        reader.Skip();
        return default;
    }

    private static long ReadLong(ref Utf8JsonReader reader)
    {
        reader.Read();
        return TokenCount.Of(ref reader);
    }

}
