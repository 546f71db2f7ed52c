using System.Text.Json;
using EdgeGw.Buffers;
using EdgeGw.Json;

namespace EdgeGw.Api.Messages;

/// <summary>
/// An Anthropic Messages request → the equivalent OpenAI chat request, the gateway's canonical
/// request format, so every provider adapter can serve Anthropic-format clients. Runs once per
/// request (JsonDocument in, Utf8JsonWriter out); the stream path stays allocation-free.
/// </summary>
internal static class MessagesRequestTranslator
{
    /// <summary>Thinking budgets at or below these map to low / medium effort; above, high.</summary>
    private const long LowEffortBudget = 2048, MediumEffortBudget = 8192;

    public static GatewayError? Translate(ReadOnlySpan<byte> anthropicBody, PooledBufferWriter output, bool supportsTopK)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(anthropicBody.ToArray());
        }
        catch (JsonException e)
        {
            return GatewayError.BadRequest($"Malformed JSON in request body: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return GatewayError.BadRequest("Request body must be a JSON object.");
            try
            {
                using var json = new Utf8JsonWriter(output, JsonOptions.Writer);
                json.WriteStartObject();
                WriteBody(json, root, supportsTopK);
                json.WriteEndObject();
                return null;
            }
            catch (RequestShapeException e)
            {
                return GatewayError.BadRequest(e.Message, e.Param);
            }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException)
            {
                // A block missing a field it needs, or a field of the wrong JSON type.
                return GatewayError.BadRequest($"Malformed Messages request: a content block or tool is missing a required field or has a field of the wrong type ({e.Message}).");
            }
        }
    }

    private static void WriteBody(Utf8JsonWriter json, JsonElement root, bool supportsTopK)
    {
        if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String)
            throw new RequestShapeException("model", "Missing required field 'model' (a string naming a configured model).");
        json.WriteString("model"u8, model.GetString());
        if (!root.TryGetProperty("max_tokens", out var maxTokens) || maxTokens.ValueKind != JsonValueKind.Number || !maxTokens.TryGetInt64(out var max) || max < 1)
            throw new RequestShapeException("max_tokens", "Missing required field 'max_tokens' (a positive integer).");
        json.WriteNumber("max_tokens"u8, max);

        json.WriteStartArray("messages"u8);
        if (root.TryGetProperty("system", out var system))
            WriteSystem(json, system);
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
            throw new RequestShapeException("messages", "Missing required field 'messages' (an array of messages).");
        var i = 0;
        foreach (var message in messages.EnumerateArray())
            WriteMessage(json, message, $"messages[{i++}]");
        json.WriteEndArray();

        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "stream" when value.ValueKind is JsonValueKind.True:
                    json.WriteBoolean("stream"u8, true);
                    // Anthropic clients always get usage in message_delta.
                    json.WriteStartObject("stream_options"u8);
                    json.WriteBoolean("include_usage"u8, true);
                    json.WriteEndObject();
                    break;
                case "temperature" or "top_p":
                    json.WritePropertyName(property.Name);
                    value.WriteTo(json);
                    break;
                case "top_k" when supportsTopK:
                    json.WritePropertyName("top_k"u8);
                    value.WriteTo(json);
                    break;
                case "stop_sequences" when value.ValueKind == JsonValueKind.Array:
                    json.WritePropertyName("stop"u8);
                    value.WriteTo(json);
                    break;
                case "metadata" when value.ValueKind == JsonValueKind.Object && value.TryGetProperty("user_id", out var user) && user.ValueKind == JsonValueKind.String:
                    json.WriteString("user"u8, user.GetString());
                    break;
                case "tools" when value.ValueKind == JsonValueKind.Array:
                    WriteTools(json, value);
                    break;
                case "tool_choice" when value.ValueKind == JsonValueKind.Object:
                    WriteToolChoice(json, value);
                    break;
                case "thinking" when value.ValueKind == JsonValueKind.Object:
                    WriteThinking(json, value);
                    break;
            }
        }
    }

    private static void WriteSystem(Utf8JsonWriter json, JsonElement system)
    {
        var text = system.ValueKind switch
        {
            JsonValueKind.String => system.GetString(),
            JsonValueKind.Array => string.Join("\n", system.EnumerateArray()
                .Where(b => b.TryGetProperty("type", out var t) && t.ValueEquals("text"u8))
                .Select(b => b.GetProperty("text").GetString())),
            JsonValueKind.Null => null,
            _ => throw new RequestShapeException("system", "'system' must be a string or an array of text blocks."),
        };
        if (string.IsNullOrEmpty(text))
            return;
        json.WriteStartObject();
        json.WriteString("role"u8, "system"u8);
        json.WriteString("content"u8, text);
        json.WriteEndObject();
    }

    private static void WriteMessage(Utf8JsonWriter json, JsonElement message, string path)
    {
        var role = message.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        if (role is not ("user" or "assistant"))
            throw new RequestShapeException($"{path}.role", $"{path}.role must be 'user' or 'assistant'.");
        if (!message.TryGetProperty("content", out var content))
            throw new RequestShapeException($"{path}.content", $"{path}.content is required.");
        if (content.ValueKind == JsonValueKind.String)
        {
            json.WriteStartObject();
            json.WriteString("role"u8, role);
            json.WriteString("content"u8, content.GetString());
            json.WriteEndObject();
            return;
        }
        if (content.ValueKind != JsonValueKind.Array)
            throw new RequestShapeException($"{path}.content", $"{path}.content must be a string or an array of content blocks.");
        if (role == "assistant")
            WriteAssistant(json, content, path);
        else
            WriteUser(json, content, path);
    }

    private static void WriteAssistant(Utf8JsonWriter json, JsonElement blocks, string path)
    {
        var text = new List<string>();
        var calls = new List<JsonElement>();
        foreach (var block in blocks.EnumerateArray())
        {
            switch (BlockType(block, path))
            {
                case "text":
                    text.Add(block.GetProperty("text").GetString() ?? "");
                    break;
                case "tool_use":
                    calls.Add(block);
                    break;
            }
            // thinking / redacted_thinking blocks are Anthropic's own record; other providers take no part in it.
        }
        json.WriteStartObject();
        json.WriteString("role"u8, "assistant"u8);
        if (text.Count > 0)
            json.WriteString("content"u8, string.Concat(text));
        else
            json.WriteNull("content"u8);
        if (calls.Count > 0)
        {
            json.WriteStartArray("tool_calls"u8);
            foreach (var call in calls)
            {
                json.WriteStartObject();
                json.WriteString("id"u8, call.GetProperty("id").GetString());
                json.WriteString("type"u8, "function"u8);
                json.WriteStartObject("function"u8);
                json.WriteString("name"u8, call.GetProperty("name").GetString());
                json.WriteString("arguments"u8, call.TryGetProperty("input", out var input) ? input.GetRawText() : "{}");
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }

    private static void WriteUser(Utf8JsonWriter json, JsonElement blocks, string path)
    {
        // OpenAI wants tool results as their own messages right after the assistant's calls,
        // so they go first, then whatever else the user turn holds.
        foreach (var block in blocks.EnumerateArray())
        {
            if (BlockType(block, path) != "tool_result")
                continue;
            json.WriteStartObject();
            json.WriteString("role"u8, "tool"u8);
            json.WriteString("tool_call_id"u8, block.TryGetProperty("tool_use_id", out var id) ? id.GetString() : null);
            json.WriteString("content"u8, ToolResultText(block));
            json.WriteEndObject();
        }
        var parts = blocks.EnumerateArray().Where(b => BlockType(b, path) is "text" or "image").ToList();
        if (parts.Count == 0)
            return;
        json.WriteStartObject();
        json.WriteString("role"u8, "user"u8);
        json.WriteStartArray("content"u8);
        foreach (var part in parts)
            WriteUserPart(json, part, path);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteUserPart(Utf8JsonWriter json, JsonElement part, string path)
    {
        json.WriteStartObject();
        if (BlockType(part, path) == "text")
        {
            json.WriteString("type"u8, "text"u8);
            json.WriteString("text"u8, part.GetProperty("text").GetString());
        }
        else
        {
            json.WriteString("type"u8, "image_url"u8);
            json.WriteStartObject("image_url"u8);
            json.WriteString("url"u8, ImageUrl(part, path));
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    private static string ImageUrl(JsonElement image, string path)
    {
        if (!image.TryGetProperty("source", out var source) || !source.TryGetProperty("type", out var type))
            throw new RequestShapeException($"{path}.content", $"{path}: an image block needs a 'source'.");
        if (type.ValueEquals("base64"u8))
            return $"data:{source.GetProperty("media_type").GetString()};base64,{source.GetProperty("data").GetString()}";
        if (type.ValueEquals("url"u8))
            return source.GetProperty("url").GetString() ?? "";
        throw new RequestShapeException($"{path}.content", $"{path}: image source type '{type}' is not supported (use base64 or url).");
    }

    private static string ToolResultText(JsonElement block)
    {
        var text = !block.TryGetProperty("content", out var content) ? ""
            : content.ValueKind == JsonValueKind.String ? content.GetString() ?? ""
            : content.ValueKind == JsonValueKind.Array ? string.Concat(content.EnumerateArray()
                .Where(b => b.TryGetProperty("type", out var t) && t.ValueEquals("text"u8))
                .Select(b => b.GetProperty("text").GetString()))
            : content.GetRawText();
        return block.TryGetProperty("is_error", out var isError) && isError.ValueKind == JsonValueKind.True ? "Error: " + text : text;
    }

    private static string BlockType(JsonElement block, string path) =>
        block.ValueKind == JsonValueKind.Object && block.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
            ? type.GetString()!
            : throw new RequestShapeException($"{path}.content", $"{path}.content: every block needs a 'type'.");

    private static void WriteTools(Utf8JsonWriter json, JsonElement tools)
    {
        json.WriteStartArray("tools"u8);
        foreach (var tool in tools.EnumerateArray())
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "function"u8);
            json.WriteStartObject("function"u8);
            json.WriteString("name"u8, tool.GetProperty("name").GetString());
            if (tool.TryGetProperty("description", out var description))
                json.WriteString("description"u8, description.GetString());
            json.WritePropertyName("parameters"u8);
            if (tool.TryGetProperty("input_schema", out var schema))
                schema.WriteTo(json);
            else
                json.WriteRawValue("{\"type\":\"object\",\"properties\":{}}"u8);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WriteToolChoice(Utf8JsonWriter json, JsonElement choice)
    {
        var type = choice.TryGetProperty("type", out var t) ? t.GetString() : "auto";
        switch (type)
        {
            case "any":
                json.WriteString("tool_choice"u8, "required"u8);
                break;
            case "none":
                json.WriteString("tool_choice"u8, "none"u8);
                break;
            case "tool":
                json.WriteStartObject("tool_choice"u8);
                json.WriteString("type"u8, "function"u8);
                json.WriteStartObject("function"u8);
                json.WriteString("name"u8, choice.GetProperty("name").GetString());
                json.WriteEndObject();
                json.WriteEndObject();
                break;
            default:
                json.WriteString("tool_choice"u8, "auto"u8);
                break;
        }
        if (choice.TryGetProperty("disable_parallel_tool_use", out var disable) && disable.ValueKind == JsonValueKind.True)
            json.WriteBoolean("parallel_tool_calls"u8, false);
    }

    private static void WriteThinking(Utf8JsonWriter json, JsonElement thinking)
    {
        if (!thinking.TryGetProperty("type", out var type) || !type.ValueEquals("enabled"u8))
            return;
        var budget = thinking.TryGetProperty("budget_tokens", out var b) && b.TryGetInt64(out var v) ? v : MediumEffortBudget;
        json.WriteString("reasoning_effort"u8, budget <= LowEffortBudget ? "low" : budget <= MediumEffortBudget ? "medium" : "high");
    }

    private sealed class RequestShapeException(string param, string message) : Exception(message)
    {
        public string Param { get; } = param;
    }
}
