using System.Text.Json;
using EdgeGw.Storage;

namespace EdgeGw.Observability.Callbacks;

/// <summary>
/// Writes an event as LiteLLM's <c>StandardLoggingPayload</c> (litellm/types/utils.py), on a
/// callback worker. Never a secret: the key is only its hash (<c>user_api_key_hash</c>), no
/// provider key or header is part of an event. One instance per worker: it reuses its buffers.
/// </summary>
internal sealed class StandardLoggingPayloadWriter(bool turnOffMessageLogging)
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
        // The prompt and answer are not captured yet; with logging turned off LiteLLM writes this marker.
        if (turnOffMessageLogging)
        {
            json.WriteString("messages"u8, Redacted);
            json.WriteString("response"u8, Redacted);
        }
        else
        {
            json.WriteNull("messages"u8);
            json.WriteNull("response"u8);
        }
        WriteError(json, item);
        json.WriteStartObject("model_parameters"u8);
        json.WriteEndObject();
        LiteLlmMetadataFields.WriteHiddenParams(json, row);
        json.WriteEndObject();
    }

    private const string Redacted = "redacted by litellm. 'litellm.turn_off_message_logging=True'";

    private static double EpochSeconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / 1000.0;

    private static void WriteMetadata(Utf8JsonWriter json, SpendRow row)
    {
        json.WriteStartObject("metadata"u8);
        LiteLlmMetadataFields.WriteUserApiKey(json, row);
        if (row.Attribution?.SpendLogsMetadata is { } spendLogs)
        {
            json.WritePropertyName("spend_logs_metadata"u8);
            json.WriteRawValue(spendLogs, skipInputValidation: true);
        }
        else
        {
            json.WriteNull("spend_logs_metadata"u8);
        }
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
