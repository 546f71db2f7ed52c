using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Json;
using EdgeGw.Streaming;
using EventJson = EdgeGw.Providers.Anthropic.AnthropicEventJson;

namespace EdgeGw.Providers.Bedrock;

/// <summary>
/// Bedrock <c>ConverseStream</c> events (cut from the AWS event stream by <see cref="AwsEventStreamFramer"/>)
/// → the canonical stream events: <c>contentBlockDelta</c> text → Text, <c>reasoningContent.text</c> →
/// Reasoning, <c>contentBlockStart.toolUse</c> → ToolCallStart and its <c>toolUse.input</c> fragments →
/// ToolArguments (already JSON string content: copied as they came), <c>messageStop</c> → Finish, the
/// closing <c>metadata</c> → the usage. Tool calls are numbered 0,1,… in order of appearance,
/// independent of Bedrock's block index; the <c>response_format</c> tool's input is streamed as text.
/// Exception frames end the stream with the mapped error in-band. No allocation per event.
/// </summary>
internal sealed class ConverseStreamDecoder<TEncoder>(TEncoder encoder, string deploymentName, string? jsonTool = null, string? apiKey = null)
    : ChatStreamDecoder<TEncoder>(encoder, deploymentName)
    where TEncoder : IChatStreamEncoder
{
    private enum BlockKind : byte { Other, Tool, JsonText }

    // Bounds the per-block tables against a hostile index; real messages have a handful of blocks.
    private const int MaxBlockIndex = 4096;

    private readonly byte[]? _jsonTool = jsonTool is null ? null : System.Text.Encoding.UTF8.GetBytes(jsonTool);
    private BlockKind[] _kinds = new BlockKind[8];
    private int[] _ordinals = new int[8];
    private int _tools;
    private bool _started;
    private ConverseUsage _usage;

    public override bool OnEvent(in SseEvent sseEvent, IBufferWriter<byte> output)
    {
        if (Over)
            return false;
        if (sseEvent.Kind != SseEventKind.Event)
        {
            Fail(BedrockStreamErrors.Map(sseEvent.EventType, sseEvent.Data, DeploymentName, apiKey), output);
            return false;
        }
        var type = sseEvent.EventType;
        var data = sseEvent.Data;
        try
        {
            if (!_started)
            {
                _started = true;
                Encoder.Start(output, default);
            }
            if (type.SequenceEqual("contentBlockDelta"u8))
                return Delta(data, output);
            if (type.SequenceEqual("contentBlockStart"u8))
                return BlockStart(data, output);
            if (type.SequenceEqual("messageStop"u8))
                return MessageStop(data, output);
            if (type.SequenceEqual("metadata"u8))
                return Metadata(data);
            EventJson.Validate(data); // messageStart, contentBlockStop and events newer than this code
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return Malformed(output);
        }
    }

    private bool BlockStart(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        var reader = EventJson.Open(data);
        var index = -1;
        ReadOnlySpan<byte> id = default, name = default;
        var tool = false;
        while (EventJson.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("contentBlockIndex"u8))
                index = ReadIndex(ref reader);
            else if (reader.ValueTextEquals("start"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                    throw new JsonException("start is not an object");
                while (EventJson.NextProperty(ref reader))
                {
                    if (!reader.ValueTextEquals("toolUse"u8))
                    {
                        EventJson.SkipValue(ref reader);
                        continue;
                    }
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject)
                        throw new JsonException("start.toolUse is not an object");
                    tool = true;
                    while (EventJson.NextProperty(ref reader))
                    {
                        if (reader.ValueTextEquals("toolUseId"u8))
                            id = EventJson.ReadString(ref reader, data);
                        else if (reader.ValueTextEquals("name"u8))
                            name = EventJson.ReadString(ref reader, data);
                        else
                            EventJson.SkipValue(ref reader);
                    }
                }
            }
            else
                EventJson.SkipValue(ref reader);
        }
        EventJson.Close(ref reader);
        if (!tool)
            return true;
        if (index < 0)
            throw new JsonException("contentBlockStart without a plausible contentBlockIndex");
        if (_jsonTool is not null && name.SequenceEqual(_jsonTool))
        {
            SetBlock(index, BlockKind.JsonText, 0);
            return true;
        }
        SetBlock(index, BlockKind.Tool, _tools);
        Encoder.ToolCallStart(output, 0, _tools++, id, name);
        return true;
    }

    private bool Delta(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        var reader = EventJson.Open(data);
        var index = -1;
        ReadOnlySpan<byte> text = default, input = default, reasoning = default;
        while (EventJson.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("contentBlockIndex"u8))
                index = ReadIndex(ref reader);
            else if (reader.ValueTextEquals("delta"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                    throw new JsonException("delta is not an object");
                while (EventJson.NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("text"u8))
                        text = EventJson.ReadString(ref reader, data);
                    else if (reader.ValueTextEquals("toolUse"u8))
                        input = ReadMember(ref reader, data, "input"u8);
                    else if (reader.ValueTextEquals("reasoningContent"u8))
                        reasoning = ReadMember(ref reader, data, "text"u8); // signature and redactedContent have no canonical event
                    else
                        EventJson.SkipValue(ref reader); // citation
                }
            }
            else
                EventJson.SkipValue(ref reader);
        }
        EventJson.Close(ref reader);
        if (!text.IsEmpty)
            Encoder.Text(output, 0, text);
        if (!reasoning.IsEmpty)
            Encoder.Reasoning(output, 0, reasoning);
        if (!input.IsEmpty)
        {
            var kind = (uint)index < (uint)_kinds.Length ? _kinds[index] : BlockKind.Other;
            if (kind == BlockKind.Tool)
                Encoder.ToolArguments(output, 0, _ordinals[index], input);
            else if (kind == BlockKind.JsonText)
                Encoder.Text(output, 0, input); // escaped JSON is already valid string content
        }
        return true;
    }

    private bool MessageStop(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        var reader = EventJson.Open(data);
        var reason = FinishReason.Stop;
        while (EventJson.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("stopReason"u8))
                reason = ConverseStopReason.ToFinishReason(EventJson.ReadString(ref reader, data), jsonMode: _jsonTool is not null && _tools == 0);
            else
                EventJson.SkipValue(ref reader); // additionalModelResponseFields
        }
        EventJson.Close(ref reader);
        if (!Finished)
        {
            Finished = true;
            Encoder.Finish(output, 0, reason);
        }
        return true;
    }

    /// <summary>The last event: its usage is the stream's, and nothing follows it.</summary>
    private bool Metadata(ReadOnlySpan<byte> data)
    {
        var reader = EventJson.Open(data);
        while (EventJson.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                _usage.Read(ref reader);
                CurrentUsage = _usage.ToOpenAi();
            }
            else
                EventJson.SkipValue(ref reader); // metrics, trace
        }
        EventJson.Close(ref reader);
        return !Finished;
    }

    private void SetBlock(int index, BlockKind kind, int ordinal)
    {
        if (index >= _kinds.Length)
        {
            var size = Math.Max(index + 1, _kinds.Length * 2);
            Array.Resize(ref _kinds, size);
            Array.Resize(ref _ordinals, size);
        }
        _kinds[index] = kind;
        _ordinals[index] = ordinal;
    }

    private static int ReadIndex(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var index) && (uint)index <= MaxBlockIndex ? index : -1;
    }

    /// <summary>The string member <paramref name="name"/> of the object at the reader, still escaped.</summary>
    private static ReadOnlySpan<byte> ReadMember(scoped ref Utf8JsonReader reader, ReadOnlySpan<byte> data, ReadOnlySpan<byte> name)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return default;
        }
        ReadOnlySpan<byte> value = default;
        while (EventJson.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals(name))
                value = EventJson.ReadString(ref reader, data);
            else
                EventJson.SkipValue(ref reader);
        }
        return value;
    }
}
