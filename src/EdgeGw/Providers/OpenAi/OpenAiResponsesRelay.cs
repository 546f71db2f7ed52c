using System.Buffers;
using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Api.Responses;
using EdgeGw.Json;
using EdgeGw.Streaming;
using EdgeGw.Upstream;

namespace EdgeGw.Providers.OpenAi;

/// <summary>
/// OpenAI's Responses stream to a Responses client: each event forwarded as it came (its
/// <c>event:</c> line and data), with only <c>response.model</c> replaced by the client's name;
/// the usage read from <c>response.completed</c> (or <c>.incomplete</c>/<c>.failed</c>) for billing.
/// A stream that ends before one of those gets an <c>error</c> event (<see cref="ResponsesErrorEvent"/>).
/// </summary>
internal sealed class OpenAiResponsesRelay(byte[] clientModelJson, string deploymentName, string? apiKey = null) : IStreamTranslator
{
    private readonly byte[] _apiKey = SecretRedaction.KeyBytes(apiKey);
    private Usage _usage;
    private long _sequence = -1;
    private bool _done;

    public Usage Usage => _usage;
    public GatewayError? Error { get; private set; }
    public long GeneratedBytes { get; private set; }
    /// <summary>The upstream's response id, read from the final event.</summary>
    public string? ResponseId { get; private set; }

    public bool OnEvent(in SseEvent sseEvent, IBufferWriter<byte> output)
    {
        var data = sseEvent.Data;
        if (data.SequenceEqual("[DONE]"u8))
            return !(_done = true);
        if (!TryScan(data, out var scan))
        {
            Fail(new GatewayError(502, $"Deployment '{deploymentName}' sent a malformed stream event.", "api_error", "502"), output);
            return false;
        }
        _sequence = Math.Max(_sequence, scan.Sequence);
        GeneratedBytes += scan.DeltaBytes;
        if (scan.Usage.Present)
            _usage = scan.Usage;
        if (!sseEvent.EventType.IsEmpty)
        {
            output.Write("event: "u8);
            output.Write(sseEvent.EventType);
            output.Write("\n"u8);
        }
        output.Write("data: "u8);
        var keyShapes = scan.Kind is EventKind.Failed or EventKind.Error;
        SecretRedaction.WriteSpliced(output, data, scan.Model, clientModelJson, _apiKey, keyShapes);
        output.Write("\n\n"u8);
        switch (scan.Kind)
        {
            case EventKind.Completed:
                _done = true;
                if (!scan.Id.IsEmpty)
                    ResponseId = System.Text.Encoding.UTF8.GetString(data.Slice(scan.Id.Start + 1, scan.Id.Length - 2));
                return false;
            case EventKind.Failed or EventKind.Error:
                Error = new GatewayError(502, $"Deployment '{deploymentName}' reported an error mid-stream.", "api_error", "502");
                return false;
            default:
                return true;
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
        ResponsesErrorEvent.Write(output, error, _sequence + 1);
    }

    private enum EventKind : byte { Other, Completed, Failed, Error }

    private struct EventScan
    {
        public EventKind Kind;
        public long Sequence;
        public JsonRange Model;
        public JsonRange Id;
        public Usage Usage;
        public long DeltaBytes;
    }

    /// <summary>One pass over an event: its type, sequence number, the <c>response</c>'s model and usage, a delta's size.</summary>
    private static bool TryScan(ReadOnlySpan<byte> json, out EventScan scan)
    {
        scan = default;
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    scan.Kind = reader.TokenType != JsonTokenType.String ? EventKind.Other
                        : reader.ValueTextEquals("response.completed"u8) || reader.ValueTextEquals("response.incomplete"u8) ? EventKind.Completed
                        : reader.ValueTextEquals("response.failed"u8) ? EventKind.Failed
                        : reader.ValueTextEquals("error"u8) ? EventKind.Error
                        : EventKind.Other;
                }
                else if (reader.ValueTextEquals("sequence_number"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var sequence))
                        scan.Sequence = sequence;
                }
                else if (reader.ValueTextEquals("delta"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                        scan.DeltaBytes += reader.ValueSpan.Length;
                    else
                        reader.Skip();
                }
                else if (reader.ValueTextEquals("response"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartObject)
                        ScanResponse(ref reader, ref scan);
                    else
                        reader.Skip();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            return reader.TokenType == JsonTokenType.EndObject && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static void ScanResponse(ref Utf8JsonReader reader, ref EventScan scan)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("model"u8) || reader.ValueTextEquals("id"u8))
            {
                var isModel = reader.ValueTextEquals("model"u8);
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && (isModel || !reader.ValueIsEscaped))
                {
                    var range = new JsonRange((int)reader.TokenStartIndex, (int)reader.BytesConsumed - (int)reader.TokenStartIndex);
                    if (isModel)
                        scan.Model = range;
                    else
                        scan.Id = range;
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                OpenAiUsageReader.Read(ref reader, ref scan.Usage);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    /// <summary>The <c>id</c> of a Response object (a non-streamed answer), or null.</summary>
    public static string? TopLevelId(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("id"u8);
                reader.Read();
                if (isId)
                    return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }
        return null;
    }
}
