using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Api.Messages;
using EdgeGw.Json;
using EdgeGw.Streaming;
using EdgeGw.Upstream;

namespace EdgeGw.Providers.Anthropic;

/// <summary>
/// Anthropic upstream → Anthropic-format client (<c>/v1/messages</c> on an <c>anthropic/</c>
/// deployment): every event is forwarded as its own bytes — thinking signatures, citations and
/// beta fields included — with only <c>message_start.message.model</c> replaced by the client's
/// name. Usage is read on the way for accounting. Secrets are redacted on the way
/// (<see cref="SecretRedaction"/>): the key in any event, key-shaped tokens in error events.
/// </summary>
internal sealed class AnthropicStreamRelay(byte[] clientModelJson, string deploymentName, string? apiKey = null) : IStreamTranslator
{
    private readonly byte[] _apiKey = SecretRedaction.KeyBytes(apiKey);
    private AnthropicUsage _usage;
    private bool _stopped;

    public Usage Usage => _usage.ToOpenAi();
    public GatewayError? Error { get; private set; }
    public long GeneratedBytes { get; private set; }

    public bool OnEvent(in SseEvent sseEvent, IBufferWriter<byte> output)
    {
        var data = sseEvent.Data;
        var type = sseEvent.EventType;
        try
        {
            if (type.IsEmpty)
                type = AnthropicEventJson.TypeOf(data);
            var model = default(JsonRange);
            if (type.SequenceEqual("message_start"u8))
                model = ReadMessageStart(data);
            else if (type.SequenceEqual("message_delta"u8))
                ReadUsageOf(data);
            else if (type.SequenceEqual("content_block_delta"u8))
                GeneratedBytes += CountGenerated(data);
            else
                AnthropicEventJson.Validate(data);
            Write(output, type, data, model);
        }
        catch (JsonException)
        {
            Fail(new GatewayError(502, $"Deployment '{deploymentName}' sent a malformed stream event.", "api_error", "502"), output);
            return false;
        }
        if (type.SequenceEqual("error"u8))
        {
            Error = new GatewayError(502, $"Deployment '{deploymentName}' reported an error mid-stream.", "api_error", "502");
            return false;
        }
        _stopped = type.SequenceEqual("message_stop"u8);
        return !_stopped;
    }

    private JsonRange ReadMessageStart(ReadOnlySpan<byte> data)
    {
        AnthropicEventJson.ReadMessageStart(data, ref _usage, out _, out var model);
        return model;
    }

    private static long CountGenerated(ReadOnlySpan<byte> data)
    {
        var reader = AnthropicEventJson.Open(data);
        var bytes = GeneratedText.Skip(ref reader);
        AnthropicEventJson.Close(ref reader);
        return bytes;
    }

    private void ReadUsageOf(ReadOnlySpan<byte> data)
    {
        var reader = AnthropicEventJson.Open(data);
        while (AnthropicEventJson.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                _usage.Read(ref reader);
            }
            else
            {
                AnthropicEventJson.SkipValue(ref reader);
            }
        }
        AnthropicEventJson.Close(ref reader);
    }

    private void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data, JsonRange model)
    {
        output.Write("event: "u8);
        output.Write(type);
        output.Write("\ndata: "u8);
        var keyShapes = type.SequenceEqual("error"u8);
        if (model.IsEmpty)
        {
            WriteData(output, data, keyShapes);
        }
        else
        {
            WriteData(output, data[..model.Start], keyShapes);
            output.Write(clientModelJson);
            WriteData(output, data[model.End..], keyShapes);
        }
        output.Write("\n\n"u8);
    }

    /// <summary>Data that spanned several <c>data:</c> lines upstream keeps one line per line.</summary>
    private void WriteData(IBufferWriter<byte> output, ReadOnlySpan<byte> data, bool keyShapes)
    {
        int newline;
        while ((newline = data.IndexOf((byte)'\n')) >= 0)
        {
            SecretRedaction.Write(output, data[..newline], _apiKey, keyShapes);
            output.Write("\ndata: "u8);
            data = data[(newline + 1)..];
        }
        SecretRedaction.Write(output, data, _apiKey, keyShapes);
    }

    public void OnEnd(IBufferWriter<byte> output)
    {
        if (!_stopped && Error is null)
            Fail(new GatewayError(502, $"Deployment '{deploymentName}' ended the stream before message_stop.", "api_error", "502"), output);
    }

    public void Fail(GatewayError error, IBufferWriter<byte> output)
    {
        Error = error;
        AnthropicErrors.WriteSseEvent(output, error);
    }
}
