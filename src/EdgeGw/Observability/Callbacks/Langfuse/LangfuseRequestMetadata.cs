using System.Text;
using System.Text.Json;

namespace EdgeGw.Observability.Callbacks.Langfuse;

/// <summary>
/// The request <c>metadata</c> keys LiteLLM's Langfuse logger turns into trace and generation fields
/// (<c>trace_id</c>, <c>session_id</c>, <c>generation_name</c>, …), read on the worker from the kept
/// <c>requester_metadata</c> JSON. Values stay raw JSON slices of one reused buffer: written back as they came.
/// </summary>
internal sealed class LangfuseRequestMetadata
{
    private byte[] _utf8 = new byte[1024];
    private int _length;
    private (int Start, int Length) _traceId, _existingTraceId, _traceName, _sessionId, _generationName, _generationId,
        _version, _traceVersion, _traceUserId, _traceMetadata, _traceRelease, _parentObservationId;

    public bool MaskInput { get; private set; }
    public bool MaskOutput { get; private set; }
    /// <summary><c>update_trace_keys</c> of an <c>existing_trace_id</c>: which fields this request overwrites on that trace.</summary>
    public TraceKeys UpdateTraceKeys { get; private set; }

    [Flags]
    public enum TraceKeys
    {
        None = 0,
        Input = 1,
        Output = 2,
        UserId = 4,
        Metadata = 8,
        Release = 16,
        Version = 32,
    }

    public ReadOnlySpan<byte> TraceId => Slice(_traceId);
    public ReadOnlySpan<byte> ExistingTraceId => Slice(_existingTraceId);
    public ReadOnlySpan<byte> TraceName => Slice(_traceName);
    public ReadOnlySpan<byte> SessionId => Slice(_sessionId);
    public ReadOnlySpan<byte> GenerationName => Slice(_generationName);
    public ReadOnlySpan<byte> GenerationId => Slice(_generationId);
    public ReadOnlySpan<byte> Version => Slice(_version);
    public ReadOnlySpan<byte> TraceVersion => Slice(_traceVersion);
    public ReadOnlySpan<byte> TraceUserId => Slice(_traceUserId);
    public ReadOnlySpan<byte> TraceMetadata => Slice(_traceMetadata);
    public ReadOnlySpan<byte> TraceRelease => Slice(_traceRelease);
    public ReadOnlySpan<byte> ParentObservationId => Slice(_parentObservationId);

    private ReadOnlySpan<byte> Slice((int Start, int Length) range) => _utf8.AsSpan(range.Start, range.Length);

    /// <summary>Reads <paramref name="requesterMetadata"/> (a JSON object, or null: none of the keys).</summary>
    public void Read(string? requesterMetadata)
    {
        _traceId = _existingTraceId = _traceName = _sessionId = _generationName = _generationId = default;
        _version = _traceVersion = _traceUserId = _traceMetadata = _traceRelease = _parentObservationId = default;
        MaskInput = MaskOutput = false;
        UpdateTraceKeys = TraceKeys.None;
        if (string.IsNullOrEmpty(requesterMetadata))
            return;
        var needed = Encoding.UTF8.GetMaxByteCount(requesterMetadata.Length);
        if (_utf8.Length < needed)
            _utf8 = new byte[Math.Max(needed, _utf8.Length * 2)];
        _length = Encoding.UTF8.GetBytes(requesterMetadata, _utf8);
        try
        {
            ReadObject();
        }
        catch (JsonException)
        {
            // Kept from a body the gateway already parsed: not expected, and never worth an event.
        }
    }

    private void ReadObject()
    {
        var reader = new Utf8JsonReader(_utf8.AsSpan(0, _length));
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            return;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = Key(ref reader);
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            if (key == Known.UpdateTraceKeys)
            {
                UpdateTraceKeys = ReadTraceKeys(ref reader);
                continue;
            }
            if (key is Known.MaskInput or Known.MaskOutput)
            {
                var on = reader.TokenType == JsonTokenType.True
                    || reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("true"u8);
                if (key == Known.MaskInput)
                    MaskInput = on;
                else
                    MaskOutput = on;
            }
            reader.Skip();
            // A JSON null is LiteLLM's None: the key counts as absent.
            var range = reader.TokenType == JsonTokenType.Null ? default : (start, (int)reader.BytesConsumed - start);
            switch (key)
            {
                case Known.TraceId: _traceId = range; break;
                case Known.ExistingTraceId: _existingTraceId = range; break;
                case Known.TraceName: _traceName = range; break;
                case Known.SessionId: _sessionId = range; break;
                case Known.GenerationName: _generationName = range; break;
                case Known.GenerationId: _generationId = range; break;
                case Known.Version: _version = range; break;
                case Known.TraceVersion: _traceVersion = range; break;
                case Known.TraceUserId: _traceUserId = range; break;
                case Known.TraceMetadata: _traceMetadata = range; break;
                case Known.TraceRelease: _traceRelease = range; break;
                case Known.ParentObservationId: _parentObservationId = range; break;
            }
        }
    }

    private enum Known
    {
        Other,
        TraceId,
        ExistingTraceId,
        TraceName,
        SessionId,
        GenerationName,
        GenerationId,
        Version,
        TraceVersion,
        TraceUserId,
        TraceMetadata,
        TraceRelease,
        ParentObservationId,
        UpdateTraceKeys,
        MaskInput,
        MaskOutput,
    }

    private static Known Key(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("trace_id"u8) ? Known.TraceId
        : reader.ValueTextEquals("existing_trace_id"u8) ? Known.ExistingTraceId
        : reader.ValueTextEquals("trace_name"u8) ? Known.TraceName
        : reader.ValueTextEquals("session_id"u8) ? Known.SessionId
        : reader.ValueTextEquals("generation_name"u8) ? Known.GenerationName
        : reader.ValueTextEquals("generation_id"u8) ? Known.GenerationId
        : reader.ValueTextEquals("version"u8) ? Known.Version
        : reader.ValueTextEquals("trace_version"u8) ? Known.TraceVersion
        : reader.ValueTextEquals("trace_user_id"u8) ? Known.TraceUserId
        : reader.ValueTextEquals("trace_metadata"u8) ? Known.TraceMetadata
        : reader.ValueTextEquals("trace_release"u8) ? Known.TraceRelease
        : reader.ValueTextEquals("parent_observation_id"u8) ? Known.ParentObservationId
        : reader.ValueTextEquals("update_trace_keys"u8) ? Known.UpdateTraceKeys
        : reader.ValueTextEquals("mask_input"u8) ? Known.MaskInput
        : reader.ValueTextEquals("mask_output"u8) ? Known.MaskOutput
        : Known.Other;

    private static TraceKeys ReadTraceKeys(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return TraceKeys.None;
        }
        var keys = TraceKeys.None;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                reader.Skip();
                continue;
            }
            keys |= reader.ValueTextEquals("input"u8) ? TraceKeys.Input
                : reader.ValueTextEquals("output"u8) ? TraceKeys.Output
                : reader.ValueTextEquals("trace_user_id"u8) ? TraceKeys.UserId
                : reader.ValueTextEquals("trace_metadata"u8) ? TraceKeys.Metadata
                : reader.ValueTextEquals("trace_release"u8) ? TraceKeys.Release
                : reader.ValueTextEquals("trace_version"u8) ? TraceKeys.Version
                : TraceKeys.None;
        }
        return keys;
    }
}
