using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Json;
using EdgeGw.Streaming;

namespace EdgeGw.Providers.OpenAi;

/// <summary>
/// OpenAI-format chunks → the canonical stream events, for clients that speak another format
/// (an OpenAI client is served by <see cref="OpenAiStreamRelay"/>, which keeps the bytes as they are).
/// Each chunk is read once with <c>Utf8JsonReader</c>; strings are handed on still escaped.
/// </summary>
internal sealed class OpenAiStreamDecoder<TEncoder>(TEncoder encoder, string deploymentName) : IStreamTranslator
    where TEncoder : IChatStreamEncoder
{
    private Usage _usage;
    private bool _started;
    private bool _done;
    private bool _finished;

    public Usage Usage => _usage;
    public GatewayError? Error { get; private set; }
    public long GeneratedBytes => encoder.GeneratedBytes;

    public bool OnEvent(in SseEvent sseEvent, IBufferWriter<byte> output)
    {
        var data = sseEvent.Data;
        if (data.SequenceEqual("[DONE]"u8))
        {
            if (!_finished)
                encoder.Finish(output, 0, FinishReason.Stop);
            encoder.Done(output, _usage);
            _done = true;
            return false;
        }
        try
        {
            return Decode(data, output);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            Fail(Malformed(), output);
            return false;
        }
    }

    private bool Decode(ReadOnlySpan<byte> json, IBufferWriter<byte> output)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            Fail(Malformed(), output);
            return false;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                if (!_started && reader.TokenType == JsonTokenType.String)
                {
                    _started = true;
                    encoder.Start(output, reader.ValueSpan);
                }
            }
            else if (reader.ValueTextEquals("choices"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartArray)
                    ReadChoices(ref reader, output);
                else
                    reader.Skip();
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                var usage = default(Usage);
                OpenAiUsageReader.Read(ref reader, ref usage);
                if (usage.Present)
                    _usage = usage;
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Null)
                {
                    Fail(new GatewayError(502, $"Deployment '{deploymentName}' reported an error mid-stream.", "api_error", "502"), output);
                    return false;
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return true;
    }

    private void ReadChoices(ref Utf8JsonReader reader, IBufferWriter<byte> output)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var choice = 0;
            var finish = FinishReason.None;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("index"u8))
                {
                    reader.Read();
                    choice = reader.GetInt32();
                }
                else if (reader.ValueTextEquals("delta"u8))
                {
                    reader.Read();
                    EnsureStarted(output);
                    if (reader.TokenType == JsonTokenType.StartObject)
                        ReadDelta(ref reader, choice, output);
                    else
                        reader.Skip();
                }
                else if (reader.ValueTextEquals("finish_reason"u8))
                {
                    reader.Read();
                    finish = reader.TokenType == JsonTokenType.String ? ParseFinish(reader.ValueSpan) : FinishReason.None;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            if (finish != FinishReason.None)
            {
                EnsureStarted(output);
                encoder.Finish(output, choice, finish);
                _finished |= choice == 0;
            }
        }
    }

    private void ReadDelta(ref Utf8JsonReader reader, int choice, IBufferWriter<byte> output)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0)
                    encoder.Text(output, choice, reader.ValueSpan);
            }
            else if (reader.ValueTextEquals("reasoning_content"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0)
                    encoder.Reasoning(output, choice, reader.ValueSpan);
            }
            else if (reader.ValueTextEquals("tool_calls"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartArray)
                    ReadToolCalls(ref reader, choice, output);
                else
                    reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    // A tool call's first fragment names it (id, function.name); later ones carry argument text.
    private void ReadToolCalls(ref Utf8JsonReader reader, int choice, IBufferWriter<byte> output)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var index = 0;
            ReadOnlySpan<byte> id = default, name = default, arguments = default;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("index"u8))
                {
                    reader.Read();
                    index = reader.GetInt32();
                }
                else if (reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    id = reader.TokenType == JsonTokenType.String ? reader.ValueSpan : default;
                }
                else if (reader.ValueTextEquals("function"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        continue;
                    }
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var isName = reader.ValueTextEquals("name"u8);
                        var isArguments = !isName && reader.ValueTextEquals("arguments"u8);
                        reader.Read();
                        if (reader.TokenType != JsonTokenType.String)
                            reader.Skip();
                        else if (isName)
                            name = reader.ValueSpan;
                        else if (isArguments)
                            arguments = reader.ValueSpan;
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            if (!id.IsEmpty || !name.IsEmpty)
                encoder.ToolCallStart(output, choice, index, id, name);
            if (!arguments.IsEmpty)
                encoder.ToolArguments(output, choice, index, arguments);
        }
    }

    private void EnsureStarted(IBufferWriter<byte> output)
    {
        if (_started)
            return;
        _started = true;
        encoder.Start(output, default);
    }

    private static FinishReason ParseFinish(ReadOnlySpan<byte> value) =>
        value.SequenceEqual("length"u8) ? FinishReason.Length
        : value.SequenceEqual("tool_calls"u8) || value.SequenceEqual("function_call"u8) ? FinishReason.ToolCalls
        : value.SequenceEqual("content_filter"u8) ? FinishReason.ContentFilter
        : FinishReason.Stop;

    private GatewayError Malformed() =>
        new(502, $"Deployment '{deploymentName}' sent a malformed stream chunk.", "api_error", "502");

    public void OnEnd(IBufferWriter<byte> output)
    {
        if (!_done && Error is null)
            Fail(new GatewayError(502, $"Deployment '{deploymentName}' ended the stream before it was complete.", "api_error", "502"), output);
    }

    public void Fail(GatewayError error, IBufferWriter<byte> output)
    {
        Error = error;
        encoder.Error(output, error);
    }
}
