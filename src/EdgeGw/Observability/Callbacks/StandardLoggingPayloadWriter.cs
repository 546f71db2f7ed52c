using System.Text.Json;
using EdgeGw.Storage;

namespace EdgeGw.Observability.Callbacks;

/// <summary>
/// Writes an event as LiteLLM's <c>StandardLoggingPayload</c> (litellm/types/utils.py), on a
/// callback worker. Never a secret: the key is only its hash (<c>user_api_key_hash</c>), no
/// provider key or header is part of an event. One instance per worker: it reuses its buffers.
/// </summary>
internal sealed class StandardLoggingPayloadWriter
{
    private readonly SpendRowJson _rowJson = new();

    public void Write(Utf8JsonWriter json, in CallbackEvent item)
    {
        var row = item.Row;
        json.WriteStartObject();
        json.WriteString("id"u8, row.RequestId);
        json.WriteString("trace_id"u8, row.RequestId);
        json.WriteString("call_type"u8, row.CallType);
        json.WriteBoolean("stream"u8, item.StreamStarted is not null);
        json.WriteNumber("response_cost"u8, (double)Spend.Money.ToDollars(row.SpendNanos));
        json.WriteString("status"u8, row.Status);
        json.WriteString("custom_llm_provider"u8, row.Provider);
        json.WriteNumber("total_tokens"u8, row.TotalTokens);
        json.WriteNumber("prompt_tokens"u8, row.PromptTokens);
        json.WriteNumber("completion_tokens"u8, row.CompletionTokens);
        // LiteLLM's times are epoch seconds as floats (time.time()).
        json.WriteNumber("startTime"u8, EpochSeconds(row.StartTime));
        json.WriteNumber("endTime"u8, EpochSeconds(row.EndTime));
        json.WriteNumber("completionStartTime"u8, EpochSeconds(item.StreamStarted ?? row.EndTime));
        json.WriteNumber("response_time"u8, (row.EndTime - row.StartTime).TotalSeconds);
        json.WriteString("model"u8, row.Model);
        json.WriteString("model_id"u8, row.ModelId);
        json.WriteString("model_group"u8, row.ModelGroup);
        json.WriteString("api_base"u8, row.ApiBase);
        json.WriteBoolean("cache_hit"u8, row.CacheHit);
        json.WriteString("cache_key"u8, row.CacheKey);
        json.WriteString("end_user"u8, row.EndUser);
        json.WritePropertyName("request_tags"u8);
        json.WriteRawValue(_rowJson.Tags(row), skipInputValidation: true);
        WriteMetadata(json, row);
        WriteContent(json, item.Content);
        WriteError(json, item);
        json.WriteStartObject("model_parameters"u8);
        json.WriteEndObject();
        LiteLlmMetadataFields.WriteHiddenParams(json, row);
        json.WriteEndObject();
    }

    /// <summary>
    /// The prompt and answer as captured; redacted as LiteLLM's perform_redaction leaves them
    /// (messages one user message, response <c>{"text": marker}</c>); null when not captured.
    /// </summary>
    private static void WriteContent(Utf8JsonWriter json, CallbackContent? content)
    {
        if (content is { Redacted: true })
        {
            json.WriteStartArray("messages"u8);
            json.WriteStartObject();
            json.WriteString("role"u8, "user"u8);
            json.WriteString("content"u8, CallbackContent.RedactedMarker);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteStartObject("response"u8);
            json.WriteString("text"u8, CallbackContent.RedactedMarker);
            json.WriteEndObject();
            return;
        }
        // The prompt was validated when the body was read; the answer is whatever the client got, so it is checked here, off the request path.
        Raw(json, "messages"u8, content?.Messages ?? default, validate: false);
        Raw(json, "response"u8, content?.Response ?? default, validate: true);
    }

    private static void Raw(Utf8JsonWriter json, ReadOnlySpan<byte> name, ReadOnlyMemory<byte> value, bool validate)
    {
        if (value.IsEmpty)
        {
            json.WriteNull(name);
            return;
        }
        json.WritePropertyName(name);
        try
        {
            json.WriteRawValue(value.Span, skipInputValidation: !validate);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            json.WriteNullValue();
        }
    }

    private static double EpochSeconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / 1000.0;

    private void WriteMetadata(Utf8JsonWriter json, SpendRow row)
    {
        json.WriteStartObject("metadata"u8);
        LiteLlmMetadataFields.WriteUserApiKey(json, row);
        // LiteLLM's keys, present for consumers that read them: EdgeGw has no organizations, and a row does not carry its user's email.
        json.WriteNull("user_api_key_org_id"u8);
        json.WriteNull("user_api_key_user_email"u8);
        // The request's, merged with the key's and team's, as the spend log row has it.
        json.WritePropertyName("spend_logs_metadata"u8);
        json.WriteRawValue(_rowJson.SpendLogsMetadata(row), skipInputValidation: true);
        if (row.Attribution?.RequesterMetadata is { } requester)
        {
            json.WritePropertyName("requester_metadata"u8);
            json.WriteRawValue(requester, skipInputValidation: true);
        }
        json.WriteEndObject();
    }

    private static void WriteError(Utf8JsonWriter json, in CallbackEvent item)
    {
        if (item.Error is not { } error)
        {
            json.WriteNull("error_str"u8);
            return;
        }
        json.WriteString("error_str"u8, error.Message);
        json.WriteStartObject("error_information"u8);
        // LiteLLM: the HTTP status and its exception class (litellm.exceptions), as its metrics label them.
        var slot = StatusLabels.SlotOf(error.Status);
        json.WriteString("error_code"u8, error.Status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        json.WriteString("error_class"u8, StatusLabels.ExceptionClass(slot));
        json.WriteString("llm_provider"u8, item.Row.Provider);
        json.WriteString("error_message"u8, error.Message);
        json.WriteEndObject();
    }
}
