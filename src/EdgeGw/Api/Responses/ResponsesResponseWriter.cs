using System.Buffers;
using System.Text;
using System.Text.Json;
using EdgeGw.Json;

namespace EdgeGw.Api.Responses;

/// <summary>
/// An OpenAI <c>chat.completion</c> → the Responses API's Response object, for bridged deployments:
/// <c>reasoning</c> (when the provider gave reasoning text), <c>message</c> and <c>function_call</c>
/// output items, the status (<c>incomplete</c> on a length or content-filter stop) and the usage in
/// the Responses names. The output always holds at least one message, even an empty one: clients
/// read <c>output[-1]</c> (LiteLLM #27058 answered with an empty list).
/// </summary>
internal static class ResponsesResponseWriter
{
    /// <summary>Returns false when <paramref name="completion"/> is not a chat completion.</summary>
    public static bool TryWrite(ReadOnlySpan<byte> completion, ResponsesStreamHead head, IBufferWriter<byte> output, out Usage usage)
    {
        usage = default;
        using var document = CompletionDocument.TryParse(completion, out var root, out var choice, out var message);
        if (document is null)
            return false;
        usage = CompletionDocument.ReadUsage(root);
        var incomplete = IncompleteReason(choice);
        var responseId = Encoding.UTF8.GetString(head.ResponseIdJson.AsSpan(1, head.ResponseIdJson.Length - 2));

        using var json = new Utf8JsonWriter(output, JsonOptions.Writer);
        json.WriteStartObject();
        // The echo is "key":value, pairs: written raw right after the brace, the writer's next property needs no comma.
        json.Flush();
        output.Write(head.EchoJson.Span);
        json.WritePropertyName("id"u8);
        json.WriteRawValue(head.ResponseIdJson, skipInputValidation: true);
        json.WriteString("object"u8, "response"u8);
        json.WriteNumber("created_at"u8, head.CreatedAt);
        json.WriteString("status"u8, incomplete is null ? "completed"u8 : "incomplete"u8);
        json.WriteBoolean("background"u8, false);
        json.WriteNull("error"u8);
        if (incomplete is null)
        {
            json.WriteNull("incomplete_details"u8);
        }
        else
        {
            json.WriteStartObject("incomplete_details"u8);
            json.WriteString("reason"u8, incomplete);
            json.WriteEndObject();
        }
        json.WritePropertyName("model"u8);
        json.WriteRawValue(head.ModelJson, skipInputValidation: true);
        json.WriteStartArray("output"u8);
        WriteOutput(json, message, responseId, incomplete is null ? "completed" : "incomplete");
        json.WriteEndArray();
        // One writer of the Responses usage shape, the stream encoder's.
        var usageJson = new ArrayBufferWriter<byte>(160);
        UsageJson.WriteResponses(usageJson, usage);
        json.WritePropertyName("usage"u8);
        json.WriteRawValue(usageJson.WrittenSpan, skipInputValidation: true);
        json.WriteEndObject();
        return true;
    }

    private static void WriteOutput(Utf8JsonWriter json, JsonElement message, string responseId, string status)
    {
        if (message.ValueKind == JsonValueKind.Object && message.TryGetProperty("reasoning_content", out var reasoning)
            && reasoning.ValueKind == JsonValueKind.String && reasoning.GetString() is { Length: > 0 } thinking)
        {
            json.WriteStartObject();
            json.WriteString("id"u8, ResponseIds.Item(responseId, "rs_"));
            json.WriteString("type"u8, "reasoning"u8);
            json.WriteStartArray("summary"u8);
            json.WriteStartObject();
            json.WriteString("type"u8, "summary_text"u8);
            json.WriteString("text"u8, thinking);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }
        var text = message.ValueKind == JsonValueKind.Object && message.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        var refusal = message.ValueKind == JsonValueKind.Object && message.TryGetProperty("refusal", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        var calls = message.ValueKind == JsonValueKind.Object && message.TryGetProperty("tool_calls", out var t) && t.ValueKind == JsonValueKind.Array ? t : default;
        var hasCalls = calls.ValueKind == JsonValueKind.Array && calls.GetArrayLength() > 0;
        if (!string.IsNullOrEmpty(text) || !string.IsNullOrEmpty(refusal) || !hasCalls)
            WriteMessage(json, ResponseIds.Item(responseId, "msg_"), text ?? "", refusal, status);
        if (!hasCalls)
            return;
        var index = 0;
        foreach (var call in calls.EnumerateArray())
        {
            var function = call.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
            json.WriteStartObject();
            json.WriteString("id"u8, ResponseIds.Item(responseId, "fc_", index++));
            json.WriteString("type"u8, "function_call"u8);
            json.WriteString("status"u8, "completed"u8);
            json.WriteString("call_id"u8, call.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : "");
            json.WriteString("name"u8, function.ValueKind == JsonValueKind.Object && function.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : "");
            json.WriteString("arguments"u8, function.ValueKind == JsonValueKind.Object && function.TryGetProperty("arguments", out var args) && args.ValueKind == JsonValueKind.String ? args.GetString() : "{}");
            json.WriteEndObject();
        }
    }

    private static void WriteMessage(Utf8JsonWriter json, string id, string text, string? refusal, string status)
    {
        json.WriteStartObject();
        json.WriteString("id"u8, id);
        json.WriteString("type"u8, "message"u8);
        json.WriteString("status"u8, status);
        json.WriteString("role"u8, "assistant"u8);
        json.WriteStartArray("content"u8);
        if (!string.IsNullOrEmpty(refusal) && text.Length == 0)
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "refusal"u8);
            json.WriteString("refusal"u8, refusal);
            json.WriteEndObject();
        }
        else
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "output_text"u8);
            json.WriteString("text"u8, text);
            json.WriteStartArray("annotations"u8);
            json.WriteEndArray();
            json.WriteStartArray("logprobs"u8);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string? IncompleteReason(JsonElement choice) =>
        choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("finish_reason", out var reason) && reason.ValueKind == JsonValueKind.String
            ? reason.GetString() switch
            {
                "length" => "max_output_tokens",
                "content_filter" => "content_filter",
                _ => null,
            }
            : null;
}
