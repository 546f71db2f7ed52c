using System.Text.Json;
using EdgeGw.Json;

namespace EdgeGw.Api.Messages;

/// <summary>An OpenAI <c>chat.completion</c> → Anthropic's <c>message</c> object, for /v1/messages clients.</summary>
internal static class AnthropicResponseWriter
{
    /// <summary>Returns false when <paramref name="completion"/> is not a chat completion.</summary>
    public static bool TryWrite(ReadOnlySpan<byte> completion, byte[] modelJson, IBufferWriter<byte> output, out Usage usage)
    {
        usage = default;
        using var document = CompletionDocument.TryParse(completion, out var root, out var choice, out var message);
        if (document is null)
            return false;
        usage = CompletionDocument.ReadUsage(root);

        using var json = new Utf8JsonWriter(output, JsonOptions.Writer);
        json.WriteStartObject();
        json.WriteString("id"u8, root.TryGetProperty("id", out var id) ? id.GetString() : "msg_edgegw");
        json.WriteString("type"u8, "message"u8);
        json.WriteString("role"u8, "assistant"u8);
        json.WritePropertyName("model"u8);
        json.WriteRawValue(modelJson, skipInputValidation: true);
        json.WriteStartArray("content"u8);
        if (message.ValueKind == JsonValueKind.Object)
            WriteBlocks(json, message);
        json.WriteEndArray();
        json.WriteString("stop_reason"u8, StopReason(choice));
        json.WriteNull("stop_sequence"u8);
        json.WriteStartObject("usage"u8);
        json.WriteNumber("input_tokens"u8, usage.PromptTokens - usage.CachedTokens - usage.CacheCreationTokens);
        json.WriteNumber("output_tokens"u8, usage.CompletionTokens);
        if (usage.CachedTokens > 0)
            json.WriteNumber("cache_read_input_tokens"u8, usage.CachedTokens);
        if (usage.CacheCreationTokens > 0)
            json.WriteNumber("cache_creation_input_tokens"u8, usage.CacheCreationTokens);
        json.WriteEndObject();
        json.WriteEndObject();
        return true;
    }

    private static void WriteBlocks(Utf8JsonWriter json, JsonElement message)
    {
        if (message.TryGetProperty("reasoning_content", out var reasoning) && reasoning.ValueKind == JsonValueKind.String && reasoning.GetString() is { Length: > 0 } thinking)
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "thinking"u8);
            json.WriteString("thinking"u8, thinking);
            json.WriteString("signature"u8, ""u8);
            json.WriteEndObject();
        }
        if (message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String && content.GetString() is { Length: > 0 } text)
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "text"u8);
            json.WriteString("text"u8, text);
            json.WriteEndObject();
        }
        if (!message.TryGetProperty("tool_calls", out var calls) || calls.ValueKind != JsonValueKind.Array)
            return;
        foreach (var call in calls.EnumerateArray())
        {
            var function = call.GetProperty("function");
            json.WriteStartObject();
            json.WriteString("type"u8, "tool_use"u8);
            json.WriteString("id"u8, call.TryGetProperty("id", out var id) ? id.GetString() : "");
            json.WriteString("name"u8, function.GetProperty("name").GetString());
            json.WritePropertyName("input"u8);
            WriteInput(json, function.TryGetProperty("arguments", out var args) ? args.GetString() : null);
            json.WriteEndObject();
        }
    }

    // Anthropic's input is an object; OpenAI's arguments a JSON string that models occasionally botch.
    private static void WriteInput(Utf8JsonWriter json, string? arguments)
    {
        if (!string.IsNullOrWhiteSpace(arguments))
        {
            try
            {
                using var parsed = JsonDocument.Parse(arguments);
                if (parsed.RootElement.ValueKind == JsonValueKind.Object)
                {
                    parsed.RootElement.WriteTo(json);
                    return;
                }
            }
            catch (JsonException)
            {
                // fall through: keep the text so nothing the model said is lost
            }
            json.WriteStartObject();
            json.WriteString("_raw_arguments"u8, arguments);
            json.WriteEndObject();
            return;
        }
        json.WriteStartObject();
        json.WriteEndObject();
    }

    private static string StopReason(JsonElement choice) =>
        choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("finish_reason", out var reason) && reason.ValueKind == JsonValueKind.String
            ? reason.GetString() switch
            {
                "length" => "max_tokens",
                "tool_calls" or "function_call" => "tool_use",
                "content_filter" => "refusal",
                _ => "end_turn",
            }
            : "end_turn";
}
