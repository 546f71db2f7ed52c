using System.Globalization;
using System.Text.Json;
using EdgeGw.Storage;

namespace EdgeGw.Observability.Callbacks.Langfuse;

/// <summary>
/// One request as the two ingestion events LiteLLM's Langfuse logger makes (litellm/integrations/langfuse/langfuse.py
/// through the Langfuse SDK): a <c>trace-create</c> (id = metadata <c>trace_id</c> or the call id, name, session,
/// user, tags, input, output) and a <c>generation-create</c> (model, times, usage and cost, input, output, the
/// request's metadata, level ERROR with the error on failure). Trace and generation ids are the request's, so a
/// batch sent twice after a timeout updates the same objects. Never a secret: the key only as its hash.
/// One instance per worker: it reuses its buffers.
/// </summary>
internal sealed class LangfuseEventWriter(string? release = null)
{
    /// <summary>LiteLLM's marker for an input or output left out (turn_off_message_logging, mask_input/mask_output).</summary>
    private const string Redacted = "redacted-by-litellm";

    private readonly LangfuseRequestMetadata _metadata = new();
    private readonly SpendRowJson _rowJson = new();

    /// <summary>Writes the request's two events into the open <c>batch</c> array.</summary>
    public void Write(Utf8JsonWriter json, in CallbackEvent item)
    {
        var row = item.Row;
        _metadata.Read(row.Attribution?.RequesterMetadata);
        Span<byte> generationId = stackalloc byte[128];
        var traceId = _metadata.ExistingTraceId.IsEmpty ? _metadata.TraceId : _metadata.ExistingTraceId;

        json.WriteStartObject();
        json.WriteString("id"u8, Guid.NewGuid());
        json.WriteString("type"u8, "trace-create"u8);
        json.WriteString("timestamp"u8, row.EndTime.ToUniversalTime());
        json.WriteStartObject("body"u8);
        WriteTrace(json, item, traceId);
        json.WriteEndObject();
        json.WriteEndObject();

        json.WriteStartObject();
        json.WriteString("id"u8, Guid.NewGuid());
        json.WriteString("type"u8, "generation-create"u8);
        json.WriteString("timestamp"u8, row.EndTime.ToUniversalTime());
        json.WriteStartObject("body"u8);
        WriteGeneration(json, item, traceId, generationId);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private void WriteTrace(Utf8JsonWriter json, in CallbackEvent item, ReadOnlySpan<byte> traceId)
    {
        var row = item.Row;
        WriteId(json, "id"u8, traceId, row.RequestId);
        if (!_metadata.ExistingTraceId.IsEmpty)
        {
            // An existing trace is only touched where update_trace_keys asks: LiteLLM never renames it.
            var keys = _metadata.UpdateTraceKeys;
            if (keys.HasFlag(LangfuseRequestMetadata.TraceKeys.UserId))
                Raw(json, "userId"u8, _metadata.TraceUserId);
            if (keys.HasFlag(LangfuseRequestMetadata.TraceKeys.Metadata))
                Raw(json, "metadata"u8, _metadata.TraceMetadata);
            if (keys.HasFlag(LangfuseRequestMetadata.TraceKeys.Release))
                Raw(json, "release"u8, _metadata.TraceRelease);
            if (keys.HasFlag(LangfuseRequestMetadata.TraceKeys.Version))
                Raw(json, "version"u8, _metadata.TraceVersion);
            if (keys.HasFlag(LangfuseRequestMetadata.TraceKeys.Input))
                WriteInput(json, item);
            if (keys.HasFlag(LangfuseRequestMetadata.TraceKeys.Output) && item.Succeeded)
                WriteOutput(json, item);
            return;
        }
        json.WriteString("timestamp"u8, row.StartTime.ToUniversalTime());
        if (!_metadata.TraceName.IsEmpty)
            Raw(json, "name"u8, _metadata.TraceName);
        else
            json.WriteString("name"u8, $"litellm-{row.CallType}");
        if (!_metadata.TraceUserId.IsEmpty)
            Raw(json, "userId"u8, _metadata.TraceUserId);
        else if (row.EndUser is { } endUser)
            json.WriteString("userId"u8, endUser);
        Raw(json, "sessionId"u8, _metadata.SessionId);
        Raw(json, "version"u8, _metadata.TraceVersion.IsEmpty ? _metadata.Version : _metadata.TraceVersion);
        if (!_metadata.TraceRelease.IsEmpty)
            Raw(json, "release"u8, _metadata.TraceRelease);
        else if (release is not null)
            json.WriteString("release"u8, release);
        Raw(json, "metadata"u8, _metadata.TraceMetadata);
        json.WritePropertyName("tags"u8);
        json.WriteRawValue(_rowJson.Tags(row), skipInputValidation: true);
        WriteInput(json, item);
        // On failure LiteLLM gives the trace a status message, not an output (the trace schema has neither).
        if (item.Succeeded)
            WriteOutput(json, item);
    }

    private void WriteGeneration(Utf8JsonWriter json, in CallbackEvent item, ReadOnlySpan<byte> traceId, Span<byte> idBuffer)
    {
        var row = item.Row;
        if (!_metadata.GenerationId.IsEmpty)
            Raw(json, "id"u8, _metadata.GenerationId);
        else
            json.WriteString("id"u8, LoggingId(row, idBuffer));
        WriteId(json, "traceId"u8, traceId, row.RequestId);
        if (!_metadata.GenerationName.IsEmpty)
            Raw(json, "name"u8, _metadata.GenerationName);
        else if (row.Key?.KeyAlias is { } alias)
            json.WriteString("name"u8, $"litellm:{alias}");
        else
            json.WriteString("name"u8, $"litellm-{row.CallType}");
        json.WriteString("startTime"u8, row.StartTime.ToUniversalTime());
        json.WriteString("endTime"u8, row.EndTime.ToUniversalTime());
        // LiteLLM's completion_start_time: a stream's first chunk; the end for an answer that came whole. Measured on
        // another clock than the row's start, so held inside [start, end]: Langfuse shows the difference as time to first token.
        var firstToken = item.StreamStarted ?? row.EndTime;
        firstToken = firstToken < row.StartTime ? row.StartTime : firstToken > row.EndTime ? row.EndTime : firstToken;
        json.WriteString("completionStartTime"u8, firstToken.ToUniversalTime());
        json.WriteString("model"u8, row.Model);
        json.WriteStartObject("modelParameters"u8);
        if (item.StreamStarted is not null)
            json.WriteBoolean("stream"u8, true);
        json.WriteEndObject();
        WriteInput(json, item);
        if (item.Error is { } error)
            json.WriteString("output"u8, error.Message);
        else
            WriteOutput(json, item);
        if (item.Succeeded)
            WriteUsage(json, row);
        WriteMetadata(json, item);
        json.WriteString("level"u8, item.Succeeded ? "DEFAULT"u8 : "ERROR"u8);
        if (item.Error is { } failed)
            json.WriteString("statusMessage"u8, failed.Message);
        Raw(json, "version"u8, _metadata.Version);
        Raw(json, "parentObservationId"u8, _metadata.ParentObservationId);
    }

    private static void WriteUsage(Utf8JsonWriter json, SpendRow row)
    {
        var cost = (double)Spend.Money.ToDollars(row.SpendNanos);
        // usage as the SDK converts LiteLLM's {prompt_tokens, completion_tokens, total_cost}; usageDetails and
        // costDetails are the fields Langfuse reads first since v3.
        json.WriteStartObject("usage"u8);
        json.WriteNumber("input"u8, row.PromptTokens);
        json.WriteNumber("output"u8, row.CompletionTokens);
        json.WriteNumber("total"u8, row.TotalTokens);
        json.WriteString("unit"u8, "TOKENS"u8);
        json.WriteNumber("totalCost"u8, cost);
        json.WriteEndObject();
        json.WriteStartObject("usageDetails"u8);
        json.WriteNumber("input"u8, row.PromptTokens);
        json.WriteNumber("output"u8, row.CompletionTokens);
        json.WriteNumber("total"u8, row.TotalTokens);
        json.WriteEndObject();
        json.WriteStartObject("costDetails"u8);
        json.WriteNumber("total"u8, cost);
        json.WriteEndObject();
    }

    /// <summary>LiteLLM's generation metadata: its own keys, then the client's metadata under <c>requester_metadata</c>.</summary>
    private static void WriteMetadata(Utf8JsonWriter json, in CallbackEvent item)
    {
        var row = item.Row;
        json.WriteStartObject("metadata"u8);
        LiteLlmMetadataFields.WriteUserApiKey(json, row);
        json.WriteString("model_group"u8, row.ModelGroup);
        json.WritePropertyName("spend_logs_metadata"u8);
        if (row.Attribution?.SpendLogsMetadata is { } spendLogs)
            json.WriteRawValue(spendLogs, skipInputValidation: true);
        else
            json.WriteNullValue();
        json.WritePropertyName("requester_metadata"u8);
        if (row.Attribution?.RequesterMetadata is { } requester)
            json.WriteRawValue(requester, skipInputValidation: true);
        else
            json.WriteRawValue("{}"u8, skipInputValidation: true);
        if (item.Succeeded)
            json.WriteNumber("litellm_response_cost"u8, (double)Spend.Money.ToDollars(row.SpendNanos));
        else
            json.WriteNull("litellm_response_cost"u8);
        LiteLlmMetadataFields.WriteHiddenParams(json, row);
        if (row.ApiBase.Length > 0)
            json.WriteString("api_base"u8, row.ApiBase);
        json.WriteBoolean("cache_hit"u8, row.CacheHit);
        json.WriteEndObject();
    }

    private void WriteInput(Utf8JsonWriter json, in CallbackEvent item)
    {
        if (_metadata.MaskInput || item.Content is { Redacted: true })
        {
            // LiteLLM's redaction replaces the messages by one user message carrying the marker.
            json.WriteStartObject("input"u8);
            json.WriteStartArray("messages"u8);
            json.WriteStartObject();
            json.WriteString("role"u8, "user"u8);
            json.WriteString("content"u8, Redacted);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            return;
        }
        if (item.Content is not { Messages.IsEmpty: false } content)
        {
            json.WriteNull("input"u8);
            return;
        }
        json.WriteStartObject("input"u8);
        json.WritePropertyName("messages"u8);
        json.WriteRawValue(content.Messages.Span, skipInputValidation: true);
        json.WriteEndObject();
    }

    private void WriteOutput(Utf8JsonWriter json, in CallbackEvent item)
    {
        if (_metadata.MaskOutput || item.Content is { Redacted: true })
        {
            json.WriteStartObject("output"u8);
            json.WriteString("content"u8, Redacted);
            json.WriteString("role"u8, "assistant"u8);
            json.WriteEndObject();
            return;
        }
        var output = item.Content is { } content ? LangfuseOutput.FirstChoice(content.Response.Span) : default;
        if (output.IsEmpty)
        {
            json.WriteNull("output"u8);
            return;
        }
        json.WritePropertyName("output"u8);
        json.WriteRawValue(output, skipInputValidation: true);
    }

    /// <summary>LiteLLM's generation id (<c>get_logging_id</c>): the start time and the call's id.</summary>
    private static ReadOnlySpan<byte> LoggingId(SpendRow row, Span<byte> buffer)
    {
        var utc = row.StartTime.UtcDateTime;
        return System.Text.Unicode.Utf8.TryWrite(buffer, CultureInfo.InvariantCulture, $"time-{utc:HH-mm-ss-ffffff}_{row.RequestId}", out var n)
            ? buffer[..n]
            : System.Text.Encoding.UTF8.GetBytes(row.RequestId);
    }

    private static void WriteId(Utf8JsonWriter json, ReadOnlySpan<byte> name, ReadOnlySpan<byte> raw, string fallback)
    {
        if (raw.IsEmpty)
            json.WriteString(name, fallback);
        else
            Raw(json, name, raw);
    }

    /// <summary>A value from the request's metadata as the client wrote it; absent stays absent.</summary>
    private static void Raw(Utf8JsonWriter json, ReadOnlySpan<byte> name, ReadOnlySpan<byte> raw)
    {
        if (raw.IsEmpty)
            return;
        json.WritePropertyName(name);
        json.WriteRawValue(raw, skipInputValidation: true);
    }
}
