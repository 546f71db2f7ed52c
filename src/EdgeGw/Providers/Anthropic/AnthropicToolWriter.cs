using System.Text.Json;

namespace EdgeGw.Providers.Anthropic;

/// <summary>
/// OpenAI <c>tools</c>, <c>tool_choice</c>, <c>parallel_tool_calls</c> and <c>response_format</c> →
/// Anthropic <c>tools</c> and <c>tool_choice</c>. JSON output is asked for the way LiteLLM does it:
/// one more tool, <c>json_tool_call</c>, whose input schema is the requested schema, forced when the
/// client offered no tools of its own; its input comes back as the message text.
/// </summary>
internal static class AnthropicToolWriter
{
    /// <summary>Writes the tool fields; returns true when <c>json_tool_call</c> carries <c>response_format</c>.</summary>
    public static bool Write(Utf8JsonWriter json, JsonElement tools, JsonElement toolChoice, bool? parallelToolCalls, JsonElement responseFormat)
    {
        var jsonSchema = JsonSchema(responseFormat, out var jsonMode);
        var hasClientTools = tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() > 0;
        if (tools.ValueKind is not (JsonValueKind.Array or JsonValueKind.Null or JsonValueKind.Undefined))
            throw new AnthropicRequestException("'tools' must be an array.", "tools");
        if (!hasClientTools && !jsonMode)
            return false;

        json.WriteStartArray("tools"u8);
        if (hasClientTools)
        {
            var i = 0;
            foreach (var tool in tools.EnumerateArray())
                WriteTool(json, tool, i++);
        }
        if (jsonMode)
        {
            json.WriteStartObject();
            json.WriteString("name"u8, AnthropicWire.JsonToolNameUtf8);
            json.WriteString("description"u8, "Respond with a JSON object."u8);
            json.WritePropertyName("input_schema"u8);
            if (jsonSchema.ValueKind == JsonValueKind.Object)
                jsonSchema.WriteTo(json);
            else
                WriteEmptySchema(json);
            json.WriteEndObject();
        }
        json.WriteEndArray();

        if (jsonMode && !hasClientTools)
        {
            json.WriteStartObject("tool_choice"u8);
            json.WriteString("type"u8, "tool"u8);
            json.WriteString("name"u8, AnthropicWire.JsonToolNameUtf8);
            json.WriteEndObject();
        }
        else
        {
            WriteToolChoice(json, toolChoice, parallelToolCalls == false);
        }
        return jsonMode;
    }

    private static JsonElement JsonSchema(JsonElement responseFormat, out bool jsonMode)
    {
        jsonMode = false;
        if (responseFormat.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
            return default;
        var type = responseFormat.ValueKind == JsonValueKind.Object && responseFormat.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString()
            : null;
        switch (type)
        {
            case "text":
                return default;
            case "json_object":
                jsonMode = true;
                return default;
            case "json_schema":
                jsonMode = true;
                return responseFormat.TryGetProperty("json_schema", out var js) && js.ValueKind == JsonValueKind.Object
                    && js.TryGetProperty("schema", out var schema) ? schema : default;
            default:
                throw new AnthropicRequestException("'response_format.type' must be text, json_object or json_schema.", "response_format");
        }
    }

    private static void WriteTool(Utf8JsonWriter json, JsonElement tool, int i)
    {
        if (tool.ValueKind != JsonValueKind.Object)
            throw new AnthropicRequestException($"tools[{i}] must be an object.", $"tools[{i}]");
        if (tool.TryGetProperty("type", out var type) && (type.ValueKind != JsonValueKind.String || !type.ValueEquals("function")))
            throw new AnthropicRequestException($"tools[{i}].type must be 'function'.", $"tools[{i}].type");
        if (!tool.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object
            || !function.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
            throw new AnthropicRequestException($"tools[{i}] needs 'function.name'.", $"tools[{i}].function.name");
        json.WriteStartObject();
        json.WriteString("name"u8, name.GetString());
        if (function.TryGetProperty("description", out var description) && description.ValueKind == JsonValueKind.String)
            json.WriteString("description"u8, description.GetString());
        json.WritePropertyName("input_schema"u8);
        // Anthropic requires a schema; OpenAI treats a missing one as "no arguments".
        if (function.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object)
            parameters.WriteTo(json);
        else
            WriteEmptySchema(json);
        if (tool.TryGetProperty("cache_control", out var cacheControl) && cacheControl.ValueKind == JsonValueKind.Object)
        {
            json.WritePropertyName("cache_control"u8);
            cacheControl.WriteTo(json);
        }
        json.WriteEndObject();
    }

    private static void WriteEmptySchema(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, "object"u8);
        json.WriteStartObject("properties"u8);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteToolChoice(Utf8JsonWriter json, JsonElement choice, bool disableParallel)
    {
        string? type;
        string? name = null;
        switch (choice.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                if (!disableParallel)
                    return;
                type = "auto";
                break;
            case JsonValueKind.String:
                type = choice.GetString() switch
                {
                    "auto" => "auto",
                    "none" => "none",
                    "required" => "any",
                    _ => throw new AnthropicRequestException("'tool_choice' must be auto, none, required or {\"type\":\"function\",\"function\":{\"name\":…}}.", "tool_choice"),
                };
                break;
            case JsonValueKind.Object when choice.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object
                && f.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String:
                type = "tool";
                name = n.GetString();
                break;
            default:
                throw new AnthropicRequestException("'tool_choice' must be auto, none, required or {\"type\":\"function\",\"function\":{\"name\":…}}.", "tool_choice");
        }
        json.WriteStartObject("tool_choice"u8);
        json.WriteString("type"u8, type);
        if (name is not null)
            json.WriteString("name"u8, name);
        if (disableParallel && type != "none")
            json.WriteBoolean("disable_parallel_tool_use"u8, true);
        json.WriteEndObject();
    }
}
