using System.Buffers;
using System.Text.Json;
using EdgeGw.Buffers;
using EdgeGw.Json;

namespace EdgeGw.Api.Responses;

/// <summary>
/// A Responses API request → the equivalent OpenAI chat request (the canonical request every
/// provider adapter serves), plus the request-echo fragment the Response object repeats
/// (<see cref="ResponsesEcho"/>). Runs once per request (JsonDocument in, Utf8JsonWriter out).
/// </summary>
internal static class ResponsesRequestTranslator
{
    /// <summary>Tools OpenAI runs on its side: nothing runs them on a bridged deployment.</summary>
    private static readonly string[] BuiltInTools =
    [
        "web_search", "web_search_preview", "web_search_preview_2025_03_11", "file_search", "code_interpreter", "computer_use_preview",
        "image_generation", "mcp", "local_shell", "shell", "apply_patch", "custom",
    ];

    /// <param name="priorItems">Input items of earlier turns (a JSON array, or empty: <see cref="ConversationReplay"/>) replayed before this input.</param>
    public static ResponsesTranslation Translate(ReadOnlySpan<byte> body, PooledBufferWriter canonical, ReadOnlyMemory<byte> priorItems = default)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException e)
        {
            return new(GatewayError.BadRequest($"Malformed JSON in request body: {e.Message}"), null, null, false);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return new(GatewayError.BadRequest("Request body must be a JSON object."), null, null, false);
            var previous = root.TryGetProperty("previous_response_id", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            try
            {
                GatewayError? bridgeError;
                using (var json = new Utf8JsonWriter(canonical, JsonOptions.Writer))
                {
                    json.WriteStartObject();
                    bridgeError = WriteBody(json, root, priorItems);
                    json.WriteEndObject();
                }
                var store = !root.TryGetProperty("store", out var s) || s.ValueKind != JsonValueKind.False;
                return new(null, bridgeError, previous, store, ResponsesEcho.Write(root), InputItems(root));
            }
            catch (ResponsesRequestException e)
            {
                return new(GatewayError.BadRequest(e.Message, e.Param), null, previous, false);
            }
        }
    }

    private static GatewayError? WriteBody(Utf8JsonWriter json, JsonElement root, ReadOnlyMemory<byte> priorItems)
    {
        if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String)
            throw new ResponsesRequestException("model", "Missing required field 'model' (a string naming a configured model).");
        json.WriteString("model"u8, model.GetString());

        json.WriteStartArray("messages"u8);
        if (root.TryGetProperty("instructions", out var instructions) && instructions.ValueKind != JsonValueKind.Null)
        {
            if (instructions.ValueKind != JsonValueKind.String)
                throw new ResponsesRequestException("instructions", "'instructions' must be a string.");
            json.WriteStartObject();
            json.WriteString("role"u8, "system"u8);
            json.WriteString("content"u8, instructions.GetString());
            json.WriteEndObject();
        }
        var inputWriter = new ResponsesInputWriter(json);
        // Kept open until Finish: the writer holds the replayed function_call items it has yet to write.
        using var prior = priorItems.IsEmpty ? null : JsonDocument.Parse(priorItems);
        if (prior is not null)
            inputWriter.Write(prior.RootElement, "previous_response_id");
        var hasInput = root.TryGetProperty("input", out var input) && input.ValueKind != JsonValueKind.Null;
        if (hasInput)
            inputWriter.Write(input);
        else if (priorItems.IsEmpty)
            throw new ResponsesRequestException("input", "Missing required field 'input' (a string or an array of input items).");
        inputWriter.Finish();
        json.WriteEndArray();

        GatewayError? bridgeError = null;
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "stream" when value.ValueKind == JsonValueKind.True:
                    json.WriteBoolean("stream"u8, true);
                    // The Response object always carries its usage, so the stream must too.
                    json.WriteStartObject("stream_options"u8);
                    json.WriteBoolean("include_usage"u8, true);
                    json.WriteEndObject();
                    break;
                case "stream" when value.ValueKind is not (JsonValueKind.False or JsonValueKind.Null):
                    throw new ResponsesRequestException("stream", "'stream' must be true or false.");
                case "temperature" or "top_p":
                    if (value.ValueKind == JsonValueKind.Null)
                        break;
                    if (value.ValueKind != JsonValueKind.Number)
                        throw new ResponsesRequestException(property.Name, $"'{property.Name}' must be a number.");
                    json.WritePropertyName(property.Name);
                    value.WriteTo(json);
                    break;
                case "max_output_tokens" when value.ValueKind != JsonValueKind.Null:
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var max) || max < 1)
                        throw new ResponsesRequestException("max_output_tokens", "'max_output_tokens' must be a positive integer.");
                    json.WriteNumber("max_tokens"u8, max);
                    break;
                case "parallel_tool_calls" when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                    json.WriteBoolean("parallel_tool_calls"u8, value.GetBoolean());
                    break;
                case "user" when value.ValueKind == JsonValueKind.String:
                    json.WriteString("user"u8, value.GetString());
                    break;
                case "tools" when value.ValueKind != JsonValueKind.Null:
                    bridgeError ??= WriteTools(json, value);
                    break;
                case "tool_choice" when value.ValueKind != JsonValueKind.Null:
                    bridgeError ??= WriteToolChoice(json, value);
                    break;
                case "text" when value.ValueKind != JsonValueKind.Null:
                    WriteTextFormat(json, value);
                    break;
                case "reasoning" when value.ValueKind == JsonValueKind.Object:
                    if (value.TryGetProperty("effort", out var effort) && effort.ValueKind == JsonValueKind.String)
                        json.WriteString("reasoning_effort"u8, effort.GetString());
                    break;
                case "background" when value.ValueKind == JsonValueKind.True:
                    bridgeError ??= GatewayError.BadRequest("'background' responses are only supported on OpenAI and Azure deployments.", "background");
                    break;
                case "conversation" or "prompt" when value.ValueKind != JsonValueKind.Null:
                    bridgeError ??= GatewayError.BadRequest($"'{property.Name}' is only supported on OpenAI and Azure deployments.", property.Name);
                    break;
            }
        }
        return bridgeError;
    }

    /// <summary>The turn's input as the store keeps it: an item list (a string input is one user message item).</summary>
    private static ReadOnlyMemory<byte> InputItems(JsonElement root)
    {
        if (!root.TryGetProperty("input", out var input) || input.ValueKind == JsonValueKind.Null)
            return "[]"u8.ToArray();
        if (input.ValueKind == JsonValueKind.Array)
            return System.Text.Encoding.UTF8.GetBytes(input.GetRawText());
        var buffer = new ArrayBufferWriter<byte>(input.GetRawText().Length + 48);
        using (var json = new Utf8JsonWriter(buffer, JsonOptions.Writer))
        {
            json.WriteStartArray();
            json.WriteStartObject();
            json.WriteString("type"u8, "message"u8);
            json.WriteString("role"u8, "user"u8);
            json.WriteString("content"u8, input.GetString());
            json.WriteEndObject();
            json.WriteEndArray();
        }
        return buffer.WrittenMemory;
    }

    /// <summary>Flattened function tools → chat tools; a built-in tool is the bridge's error (OpenAI would run it).</summary>
    private static GatewayError? WriteTools(Utf8JsonWriter json, JsonElement tools)
    {
        if (tools.ValueKind != JsonValueKind.Array)
            throw new ResponsesRequestException("tools", "'tools' must be an array of tools.");
        if (tools.GetArrayLength() == 0)
            return null;
        List<string>? builtIn = null;
        json.WriteStartArray("tools"u8);
        var i = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            var path = $"tools[{i++}]";
            var type = tool.ValueKind == JsonValueKind.Object && tool.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : null;
            if (type is null)
                throw new ResponsesRequestException($"{path}.type", $"{path} needs a 'type' ('function' for a function tool).");
            if (type != "function")
            {
                (builtIn ??= []).Add(type);
                continue;
            }
            if (!tool.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
                throw new ResponsesRequestException($"{path}.name", $"{path}.name is required (a string).");
            json.WriteStartObject();
            json.WriteString("type"u8, "function"u8);
            json.WriteStartObject("function"u8);
            json.WriteString("name"u8, name.GetString());
            if (tool.TryGetProperty("description", out var description) && description.ValueKind == JsonValueKind.String)
                json.WriteString("description"u8, description.GetString());
            json.WritePropertyName("parameters"u8);
            if (tool.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object)
                parameters.WriteTo(json);
            else
                json.WriteRawValue("{\"type\":\"object\",\"properties\":{}}"u8);
            if (tool.TryGetProperty("strict", out var strict) && strict.ValueKind is JsonValueKind.True or JsonValueKind.False)
                json.WriteBoolean("strict"u8, strict.GetBoolean());
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        if (builtIn is null)
            return null;
        var names = string.Join("', '", builtIn.Distinct(StringComparer.Ordinal));
        var known = builtIn.All(b => BuiltInTools.Contains(b, StringComparer.Ordinal));
        return GatewayError.BadRequest(
            $"{(known ? "Built-in tool" : "Tool type")} '{names}' is not supported on this deployment: only OpenAI and Azure deployments run built-in tools; other providers take 'function' tools only.",
            "tools");
    }

    private static GatewayError? WriteToolChoice(Utf8JsonWriter json, JsonElement choice)
    {
        if (choice.ValueKind == JsonValueKind.String)
        {
            var mode = choice.GetString();
            if (mode is not ("auto" or "none" or "required"))
                throw new ResponsesRequestException("tool_choice", "'tool_choice' must be 'auto', 'none', 'required' or {\"type\":\"function\",\"name\":…}.");
            json.WriteString("tool_choice"u8, mode);
            return null;
        }
        var type = choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        if (type == "function")
        {
            if (!choice.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
                throw new ResponsesRequestException("tool_choice.name", "tool_choice.name is required for a function tool choice.");
            json.WriteStartObject("tool_choice"u8);
            json.WriteString("type"u8, "function"u8);
            json.WriteStartObject("function"u8);
            json.WriteString("name"u8, name.GetString());
            json.WriteEndObject();
            json.WriteEndObject();
            return null;
        }
        if (type is null)
            throw new ResponsesRequestException("tool_choice", "'tool_choice' must be 'auto', 'none', 'required' or {\"type\":\"function\",\"name\":…}.");
        return GatewayError.BadRequest($"tool_choice type '{type}' is not supported on this deployment: only OpenAI and Azure deployments run built-in tools.", "tool_choice");
    }

    /// <summary><c>text.format</c> → <c>response_format</c>: Responses flattens the json_schema object that chat nests.</summary>
    private static void WriteTextFormat(Utf8JsonWriter json, JsonElement text)
    {
        if (text.ValueKind != JsonValueKind.Object)
            throw new ResponsesRequestException("text", "'text' must be an object ({\"format\":{…}}).");
        if (!text.TryGetProperty("format", out var format) || format.ValueKind == JsonValueKind.Null)
            return;
        var type = format.ValueKind == JsonValueKind.Object && format.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        switch (type)
        {
            case "text":
                return;
            case "json_object":
                json.WriteStartObject("response_format"u8);
                json.WriteString("type"u8, "json_object"u8);
                json.WriteEndObject();
                return;
            case "json_schema":
                if (!format.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.Object)
                    throw new ResponsesRequestException("text.format.schema", "text.format.schema is required (a JSON Schema object) for a json_schema format.");
                json.WriteStartObject("response_format"u8);
                json.WriteString("type"u8, "json_schema"u8);
                json.WriteStartObject("json_schema"u8);
                json.WriteString("name"u8, format.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : "response");
                if (format.TryGetProperty("description", out var description) && description.ValueKind == JsonValueKind.String)
                    json.WriteString("description"u8, description.GetString());
                json.WritePropertyName("schema"u8);
                schema.WriteTo(json);
                if (format.TryGetProperty("strict", out var strict) && strict.ValueKind is JsonValueKind.True or JsonValueKind.False)
                    json.WriteBoolean("strict"u8, strict.GetBoolean());
                json.WriteEndObject();
                json.WriteEndObject();
                return;
            default:
                throw new ResponsesRequestException("text.format.type", "text.format.type must be 'text', 'json_object' or 'json_schema'.");
        }
    }
}
