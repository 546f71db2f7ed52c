using System.Text.Json;

namespace EdgeGw.Providers.Bedrock;

/// <summary>
/// OpenAI <c>tools</c>, <c>tool_choice</c> and <c>response_format</c> → Converse <c>toolConfig</c>
/// (<c>tools[].toolSpec {name, description, inputSchema {json}}</c>, <c>toolChoice {auto|any|tool}</c>).
/// JSON output is asked for as LiteLLM does on Bedrock: one more tool whose input schema is the
/// requested schema (named after <c>json_schema.name</c>, else <c>json_tool_call</c>), forced when the
/// client offered no tools of its own and thinking is off; its input comes back as the message text.
/// Converse has no "none": <c>tool_choice: "none"</c> sends no tools, unless the history holds tool
/// blocks, which Bedrock only accepts with a toolConfig — then the tools go without a choice.
/// </summary>
internal static class ConverseToolWriter
{
    public const string DefaultJsonToolName = "json_tool_call";

    /// <summary>Writes <c>toolConfig</c> when there is one; returns the JSON tool's name when <c>response_format</c> asked for JSON.</summary>
    public static string? Write(Utf8JsonWriter json, JsonElement tools, JsonElement toolChoice, JsonElement responseFormat, bool thinking, bool historyHasTools)
    {
        var jsonTool = JsonTool(responseFormat, out var schema, out var description);
        if (tools.ValueKind is not (JsonValueKind.Array or JsonValueKind.Null or JsonValueKind.Undefined))
            throw new ConverseRequestException("'tools' must be an array.", "tools");
        var hasClientTools = tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() > 0;
        var none = toolChoice.ValueKind == JsonValueKind.String && toolChoice.ValueEquals("none");
        if (none && !historyHasTools)
            hasClientTools = false;
        if (!hasClientTools && jsonTool is null)
        {
            if (historyHasTools)
                throw new ConverseRequestException(
                    "bedrock needs 'tools' when the messages hold tool calls or tool results: pass the tools the conversation used.", "tools");
            return null;
        }

        json.WriteStartObject("toolConfig"u8);
        json.WriteStartArray("tools"u8);
        if (hasClientTools)
        {
            var i = 0;
            foreach (var tool in tools.EnumerateArray())
                WriteTool(json, tool, i++);
        }
        if (jsonTool is not null)
            WriteToolSpec(json, jsonTool, description, schema);
        json.WriteEndArray();
        if (jsonTool is not null && !hasClientTools)
        {
            // Claude refuses a forced tool while thinking (LiteLLM leaves the choice out then too).
            if (!thinking)
                WriteChoice(json, "tool", jsonTool);
        }
        else if (!none)
        {
            WriteToolChoice(json, toolChoice);
        }
        json.WriteEndObject();
        return jsonTool;
    }

    private static string? JsonTool(JsonElement responseFormat, out JsonElement schema, out string? description)
    {
        schema = default;
        description = null;
        if (responseFormat.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
            return null;
        var type = responseFormat.ValueKind == JsonValueKind.Object && responseFormat.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString()
            : null;
        switch (type)
        {
            case "text":
                return null;
            case "json_object":
                return DefaultJsonToolName;
            case "json_schema":
                if (!responseFormat.TryGetProperty("json_schema", out var js) || js.ValueKind != JsonValueKind.Object)
                    return DefaultJsonToolName;
                if (js.TryGetProperty("schema", out var s) && s.ValueKind == JsonValueKind.Object)
                    schema = s;
                if (js.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String)
                    description = d.GetString();
                return js.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && n.GetString() is { Length: > 0 } name
                    ? name
                    : DefaultJsonToolName;
            default:
                throw new ConverseRequestException("'response_format.type' must be text, json_object or json_schema.", "response_format");
        }
    }

    private static void WriteTool(Utf8JsonWriter json, JsonElement tool, int i)
    {
        if (tool.ValueKind != JsonValueKind.Object)
            throw new ConverseRequestException($"tools[{i}] must be an object.", $"tools[{i}]");
        if (tool.TryGetProperty("type", out var type) && (type.ValueKind != JsonValueKind.String || !type.ValueEquals("function")))
            throw new ConverseRequestException($"tools[{i}].type must be 'function'.", $"tools[{i}].type");
        if (!tool.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object
            || !function.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
            throw new ConverseRequestException($"tools[{i}] needs 'function.name'.", $"tools[{i}].function.name");
        var description = function.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        var parameters = function.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        WriteToolSpec(json, name.GetString()!, description, parameters);
        if (tool.TryGetProperty("cache_control", out var cacheControl) && cacheControl.ValueKind == JsonValueKind.Object)
        {
            json.WriteStartObject();
            json.WriteStartObject("cachePoint"u8);
            json.WriteString("type"u8, "default"u8);
            json.WriteEndObject();
            json.WriteEndObject();
        }
    }

    private static void WriteToolSpec(Utf8JsonWriter json, string name, string? description, JsonElement schema)
    {
        json.WriteStartObject();
        json.WriteStartObject("toolSpec"u8);
        json.WriteString("name"u8, name);
        if (!string.IsNullOrEmpty(description))
            json.WriteString("description"u8, description);
        json.WriteStartObject("inputSchema"u8);
        json.WritePropertyName("json"u8);
        // Converse requires a schema; OpenAI treats a missing one as "no arguments".
        if (schema.ValueKind == JsonValueKind.Object)
            schema.WriteTo(json);
        else
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "object"u8);
            json.WriteStartObject("properties"u8);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteToolChoice(Utf8JsonWriter json, JsonElement choice)
    {
        switch (choice.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                return;
            case JsonValueKind.String when choice.ValueEquals("auto"):
                WriteChoice(json, "auto", null);
                return;
            case JsonValueKind.String when choice.ValueEquals("required"):
                WriteChoice(json, "any", null);
                return;
            case JsonValueKind.Object when choice.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object
                && f.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String:
                WriteChoice(json, "tool", n.GetString());
                return;
            default:
                throw new ConverseRequestException("'tool_choice' must be auto, none, required or {\"type\":\"function\",\"function\":{\"name\":…}}.", "tool_choice");
        }
    }

    private static void WriteChoice(Utf8JsonWriter json, string kind, string? name)
    {
        json.WriteStartObject("toolChoice"u8);
        json.WriteStartObject(kind);
        if (name is not null)
            json.WriteString("name"u8, name);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
