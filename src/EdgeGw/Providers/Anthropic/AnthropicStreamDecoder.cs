using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Json;
using EdgeGw.Streaming;

namespace EdgeGw.Providers.Anthropic;

/// <summary>
/// Anthropic Messages stream → canonical stream events. Each event's data is read once with
/// <see cref="Utf8JsonReader"/>; text, ids, names and argument fragments are handed on as the
/// escaped bytes they arrived as. Tool calls are numbered 0,1,… in order of appearance (OpenAI's
/// <c>tool_calls[].index</c>), independent of Anthropic's block index. No allocation per event.
/// </summary>
internal sealed class AnthropicStreamDecoder<TEncoder>(TEncoder encoder, string deploymentName, string? apiKey, bool jsonMode)
    : IStreamTranslator where TEncoder : IChatStreamEncoder
{
    private enum BlockKind : byte { Other, Text, Tool, Thinking, JsonText }

    // Bounds the per-block tables against a hostile index; real messages have a handful of blocks.
    private const uint MaxBlockIndex = 4096;

    private BlockKind[] _kinds = new BlockKind[8];
    private int[] _toolOrdinals = new int[8];
    private int _tools;
    private AnthropicUsage _usage;
    private FinishReason _finish;
    private bool _done;

    public Usage Usage => _usage.ToOpenAi();
    public GatewayError? Error { get; private set; }
    public long GeneratedBytes => encoder.GeneratedBytes;

    public bool OnEvent(in SseEvent sseEvent, IBufferWriter<byte> output)
    {
        var data = sseEvent.Data;
        try
        {
            var type = sseEvent.EventType.IsEmpty ? AnthropicEventJson.TypeOf(data) : sseEvent.EventType;
            if (type.SequenceEqual("content_block_delta"u8))
                OnBlockDelta(data, output);
            else if (type.SequenceEqual("content_block_start"u8))
                OnBlockStart(data, output);
            else if (type.SequenceEqual("message_start"u8))
                OnMessageStart(data, output);
            else if (type.SequenceEqual("message_delta"u8))
                OnMessageDelta(data);
            else if (type.SequenceEqual("message_stop"u8))
                return OnMessageStop(output);
            else if (type.SequenceEqual("error"u8))
                return OnError(data, output);
            else
                AnthropicEventJson.Validate(data); // ping, content_block_stop and event types newer than this code
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            Fail(new GatewayError(502, $"Deployment '{deploymentName}' sent a malformed stream event.", "api_error", "502"), output);
            return false;
        }
    }

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

    private void OnMessageStart(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        AnthropicEventJson.ReadMessageStart(data, ref _usage, out var id, out _);
        encoder.Start(output, id);
    }

    private void OnBlockStart(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        var reader = AnthropicEventJson.Open(data);
        var index = -1;
        ReadOnlySpan<byte> type = default, id = default, name = default, text = default;
        while (AnthropicEventJson.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("index"u8))
            {
                reader.Read();
                index = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("content_block"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                    throw new JsonException("content_block is not an object");
                while (AnthropicEventJson.NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("type"u8))
                        type = AnthropicEventJson.ReadString(ref reader, data);
                    else if (reader.ValueTextEquals("id"u8))
                        id = AnthropicEventJson.ReadString(ref reader, data);
                    else if (reader.ValueTextEquals("name"u8))
                        name = AnthropicEventJson.ReadString(ref reader, data);
                    else if (reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("thinking"u8))
                        text = AnthropicEventJson.ReadString(ref reader, data);
                    else
                        AnthropicEventJson.SkipValue(ref reader);
                }
            }
            else
                AnthropicEventJson.SkipValue(ref reader);
        }
        AnthropicEventJson.Close(ref reader);
        if ((uint)index > MaxBlockIndex)
            throw new JsonException("content_block_start without a plausible index");

        var kind = BlockKind.Other;
        if (type.SequenceEqual("text"u8))
        {
            kind = BlockKind.Text;
            if (!text.IsEmpty)
                encoder.Text(output, 0, text);
        }
        else if (type.SequenceEqual("thinking"u8))
        {
            kind = BlockKind.Thinking;
            if (!text.IsEmpty)
                encoder.Reasoning(output, 0, text);
        }
        else if (type.SequenceEqual("tool_use"u8))
        {
            if (jsonMode && name.SequenceEqual(AnthropicWire.JsonToolNameUtf8))
            {
                kind = BlockKind.JsonText;
            }
            else
            {
                kind = BlockKind.Tool;
                SetOrdinal(index, _tools);
                encoder.ToolCallStart(output, 0, _tools++, id, name);
            }
        }
        SetKind(index, kind);
    }

    private void OnBlockDelta(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        var reader = AnthropicEventJson.Open(data);
        var index = -1;
        ReadOnlySpan<byte> type = default, payload = default;
        while (AnthropicEventJson.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("index"u8))
            {
                reader.Read();
                index = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("delta"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                    throw new JsonException("delta is not an object");
                while (AnthropicEventJson.NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("type"u8))
                        type = AnthropicEventJson.ReadString(ref reader, data);
                    else if (reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("partial_json"u8) || reader.ValueTextEquals("thinking"u8))
                        payload = AnthropicEventJson.ReadString(ref reader, data);
                    else
                        AnthropicEventJson.SkipValue(ref reader); // signature, citation
                }
            }
            else
                AnthropicEventJson.SkipValue(ref reader);
        }
        AnthropicEventJson.Close(ref reader);
        if (payload.IsEmpty)
            return;

        if (type.SequenceEqual("text_delta"u8))
        {
            encoder.Text(output, 0, payload);
        }
        else if (type.SequenceEqual("input_json_delta"u8))
        {
            var kind = KindOf(index);
            if (kind == BlockKind.Tool)
                encoder.ToolArguments(output, 0, _toolOrdinals[index], payload);
            else if (kind == BlockKind.JsonText)
                encoder.Text(output, 0, payload); // escaped JSON text is already valid string content
        }
        else if (type.SequenceEqual("thinking_delta"u8))
        {
            encoder.Reasoning(output, 0, payload);
        }
    }

    private void OnMessageDelta(ReadOnlySpan<byte> data)
    {
        var reader = AnthropicEventJson.Open(data);
        while (AnthropicEventJson.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("delta"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                    throw new JsonException("delta is not an object");
                while (AnthropicEventJson.NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("stop_reason"u8))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.String)
                            _finish = AnthropicStopReason.ToFinishReason(reader.ValueSpan, jsonMode && _tools == 0);
                        else
                            reader.Skip();
                    }
                    else
                        AnthropicEventJson.SkipValue(ref reader);
                }
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                _usage.Read(ref reader);
            }
            else
                AnthropicEventJson.SkipValue(ref reader);
        }
        AnthropicEventJson.Close(ref reader);
    }

    private bool OnMessageStop(IBufferWriter<byte> output)
    {
        encoder.Finish(output, 0, _finish == FinishReason.None ? FinishReason.Stop : _finish);
        encoder.Done(output, _usage.ToOpenAi());
        _done = true;
        return false;
    }

    private bool OnError(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        Fail(AnthropicErrorMapper.FromStreamEvent(data, deploymentName, apiKey), output);
        return false;
    }

    private BlockKind KindOf(int index) => (uint)index < (uint)_kinds.Length ? _kinds[index] : BlockKind.Other;

    private void SetKind(int index, BlockKind kind)
    {
        if (index >= _kinds.Length)
            Array.Resize(ref _kinds, Math.Max(index + 1, _kinds.Length * 2));
        _kinds[index] = kind;
    }

    private void SetOrdinal(int index, int ordinal)
    {
        if (index >= _toolOrdinals.Length)
            Array.Resize(ref _toolOrdinals, Math.Max(index + 1, _toolOrdinals.Length * 2));
        _toolOrdinals[index] = ordinal;
    }

}
