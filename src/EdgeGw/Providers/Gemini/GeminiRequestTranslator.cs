using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Json;

namespace EdgeGw.Providers.Gemini;

/// <summary>
/// OpenAI chat request → Gemini <c>GenerateContentRequest</c>, once per request (JsonDocument in,
/// Utf8JsonWriter out). Every OpenAI field is either mapped, ignored as harmless (<c>stream_options</c>,
/// <c>user</c>, <c>metadata</c>, <c>store</c>, …) or unsupported: a 400 naming it, unless
/// <c>drop_params</c> is on, when it is dropped and reported in <c>dropped</c>.
/// </summary>
internal static class GeminiRequestTranslator
{
    private struct Fields
    {
        public JsonElement Tools, ToolChoice, MaxTokens, MaxCompletionTokens, Temperature, TopP, TopK, Stop, N,
            ResponseFormat, ReasoningEffort, Thinking, Seed, PresencePenalty, FrequencyPenalty, SafetySettings, Labels;
    }

    /// <param name="sendLabels">Vertex AI bills by request <c>labels</c>; AI Studio has none, so there they are dropped (as LiteLLM does).</param>
    public static GatewayError? Translate(ReadOnlyMemory<byte> body, bool dropParams, IBufferWriter<byte> output, List<string> dropped, bool sendLabels = false)
    {
        if (JsonText.InvalidTextError(body.Span) is { } invalid)
            return invalid;
        try
        {
            return TranslateDocument(body, dropParams, output, dropped, sendLabels);
        }
        catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or JsonException)
        {
            // A value of an unexpected JSON kind somewhere the checks above did not anticipate.
            return GatewayError.BadRequest($"The request cannot be translated for Gemini: {e.Message}");
        }
    }

    private static GatewayError? TranslateDocument(ReadOnlyMemory<byte> body, bool dropParams, IBufferWriter<byte> output, List<string> dropped, bool sendLabels)
    {
        var messages = RawJson.TakeMessages(body, out var rest);
        using var restBuffer = rest;
        using var doc = JsonDocument.Parse(rest.WrittenMemory, new JsonDocumentOptions { MaxDepth = 256 });
        var root = doc.RootElement;
        var drop = dropParams || (root.TryGetProperty("drop_params", out var dropValue) && dropValue.ValueKind == JsonValueKind.True);
        var fields = default(Fields);
        var error = Classify(root, drop, ref fields, dropped);
        if (error is not null)
            return error;

        using var writer = new Utf8JsonWriter(output, JsonOptions.Writer);
        writer.WriteStartObject();
        error = GeminiContentsWriter.Write(writer, messages);
        if (error is not null)
            return error;
        error = WriteTools(writer, fields.Tools, fields.ToolChoice);
        if (error is not null)
            return error;
        if (fields.SafetySettings.ValueKind != JsonValueKind.Undefined)
        {
            writer.WritePropertyName("safetySettings");
            fields.SafetySettings.WriteTo(writer);
        }
        error = WriteGenerationConfig(writer, fields);
        if (error is not null)
            return error;
        if (sendLabels && fields.Labels.ValueKind == JsonValueKind.Object)
            WriteLabels(writer, fields.Labels);
        writer.WriteEndObject();
        return null;
    }

    private static GatewayError? Classify(JsonElement root, bool drop, ref Fields f, List<string> dropped)
    {
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            if (value.ValueKind == JsonValueKind.Null)
                continue; // an explicit null is the default: nothing to honour
            switch (property.Name)
            {
                case "model" or "stream" or "stream_options" or "user" or "metadata" or "store" or "drop_params"
                    or "safety_identifier" or "prompt_cache_key" or "service_tier":
                    break;
                case "messages": break; // read in place: see RawJson.TakeMessages
                case "tools": f.Tools = value; break;
                case "tool_choice": f.ToolChoice = value; break;
                case "max_tokens": f.MaxTokens = value; break;
                case "max_completion_tokens": f.MaxCompletionTokens = value; break;
                case "temperature": f.Temperature = value; break;
                case "top_p": f.TopP = value; break;
                case "top_k": f.TopK = value; break;
                case "stop": f.Stop = value; break;
                case "n": f.N = value; break;
                case "seed": f.Seed = value; break;
                case "presence_penalty": f.PresencePenalty = value; break;
                case "frequency_penalty": f.FrequencyPenalty = value; break;
                case "response_format": f.ResponseFormat = value; break;
                case "reasoning_effort": f.ReasoningEffort = value; break;
                case "thinking": f.Thinking = value; break;
                // LiteLLM passes Gemini's own safety settings through under either spelling.
                case "safety_settings" or "safetySettings": f.SafetySettings = value; break;
                case "labels": f.Labels = value; break;
                // Gemini calls in parallel or not as it likes; only asking it not to is unsupported.
                case "parallel_tool_calls" when value.ValueKind == JsonValueKind.True:
                case "logprobs" when value.ValueKind == JsonValueKind.False:
                    break;
                default:
                    if (!drop)
                        return GatewayError.BadRequest(
                            $"Gemini does not support the parameter '{property.Name}'. Remove it, or set drop_params: true to drop unsupported parameters.",
                            property.Name);
                    dropped.Add(property.Name);
                    break;
            }
        }
        return null;
    }

    /// <summary>Vertex's <c>labels</c> map; like LiteLLM, only string values are kept.</summary>
    private static void WriteLabels(Utf8JsonWriter writer, JsonElement labels)
    {
        writer.WriteStartObject("labels");
        foreach (var label in labels.EnumerateObject())
        {
            if (label.Value.ValueKind == JsonValueKind.String)
                writer.WriteString(label.Name, label.Value.GetString());
        }
        writer.WriteEndObject();
    }

    private static GatewayError? WriteTools(Utf8JsonWriter writer, JsonElement tools, JsonElement toolChoice)
    {
        if (tools.ValueKind == JsonValueKind.Undefined)
            return null;
        if (tools.ValueKind != JsonValueKind.Array)
            return GatewayError.BadRequest("'tools' must be an array.", "tools");
        if (tools.GetArrayLength() == 0)
            return null;
        writer.WriteStartArray("tools");
        writer.WriteStartObject();
        writer.WriteStartArray("functionDeclarations");
        foreach (var tool in tools.EnumerateArray())
        {
            if (tool.ValueKind != JsonValueKind.Object
                || (tool.TryGetProperty("type", out var type) && !(type.ValueKind == JsonValueKind.String && type.ValueEquals("function")))
                || !tool.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object
                || !function.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
                return GatewayError.BadRequest("Gemini supports only function tools: {\"type\":\"function\",\"function\":{\"name\":…}}.", "tools");
            writer.WriteStartObject();
            writer.WriteString("name", name.GetString());
            if (function.TryGetProperty("description", out var description) && description.ValueKind == JsonValueKind.String)
                writer.WriteString("description", description.GetString());
            if (function.TryGetProperty("parameters", out var parameters) && !GeminiSchemaTranslator.IsEmptyObject(parameters))
            {
                writer.WritePropertyName("parameters");
                if (!GeminiSchemaTranslator.Write(writer, parameters))
                    return GatewayError.BadRequest("A tool's parameters schema nests too deeply or refers to itself ($ref cycles cannot be inlined for Gemini).", "tools");
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndArray();
        return WriteToolConfig(writer, toolChoice);
    }

    private static GatewayError? WriteToolConfig(Utf8JsonWriter writer, JsonElement choice)
    {
        string? mode = null, only = null;
        if (choice.ValueKind == JsonValueKind.Undefined)
            return null;
        if (choice.ValueKind == JsonValueKind.String)
        {
            mode = choice.GetString() switch
            {
                "auto" => "AUTO",
                "none" => "NONE",
                "required" => "ANY",
                _ => null,
            };
        }
        else if (choice.ValueKind == JsonValueKind.Object
            && choice.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object
            && function.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
        {
            mode = "ANY";
            only = name.GetString();
        }
        if (mode is null)
            return GatewayError.BadRequest("'tool_choice' must be \"auto\", \"none\", \"required\" or {\"type\":\"function\",\"function\":{\"name\":…}}.", "tool_choice");
        writer.WriteStartObject("toolConfig");
        writer.WriteStartObject("functionCallingConfig");
        writer.WriteString("mode", mode);
        if (only is not null)
        {
            writer.WriteStartArray("allowedFunctionNames");
            writer.WriteStringValue(only);
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
        return null;
    }

    private static GatewayError? WriteGenerationConfig(Utf8JsonWriter writer, in Fields f)
    {
        var started = false;
        void Begin()
        {
            if (started)
                return;
            started = true;
            writer.WriteStartObject("generationConfig");
        }
        GatewayError? Number(string name, string param, JsonElement value)
        {
            if (value.ValueKind == JsonValueKind.Undefined)
                return null;
            if (value.ValueKind != JsonValueKind.Number)
                return GatewayError.BadRequest($"'{param}' must be a number.", param);
            Begin();
            writer.WritePropertyName(name);
            value.WriteTo(writer);
            return null;
        }

        var maxTokens = f.MaxCompletionTokens.ValueKind != JsonValueKind.Undefined ? f.MaxCompletionTokens : f.MaxTokens;
        var maxParam = f.MaxCompletionTokens.ValueKind != JsonValueKind.Undefined ? "max_completion_tokens" : "max_tokens";
        var error = Number("maxOutputTokens", maxParam, maxTokens)
            ?? Number("temperature", "temperature", f.Temperature)
            ?? Number("topP", "top_p", f.TopP)
            ?? Number("topK", "top_k", f.TopK)
            ?? Number("candidateCount", "n", f.N)
            ?? Number("seed", "seed", f.Seed)
            ?? Number("presencePenalty", "presence_penalty", f.PresencePenalty)
            ?? Number("frequencyPenalty", "frequency_penalty", f.FrequencyPenalty);
        if (error is not null)
            return error;

        if (f.Stop.ValueKind == JsonValueKind.String)
        {
            Begin();
            writer.WriteStartArray("stopSequences");
            writer.WriteStringValue(f.Stop.GetString());
            writer.WriteEndArray();
        }
        else if (f.Stop.ValueKind == JsonValueKind.Array)
        {
            Begin();
            writer.WriteStartArray("stopSequences");
            foreach (var stop in f.Stop.EnumerateArray())
            {
                if (stop.ValueKind != JsonValueKind.String)
                    return GatewayError.BadRequest("'stop' must be a string or an array of strings.", "stop");
                writer.WriteStringValue(stop.GetString());
            }
            writer.WriteEndArray();
        }
        else if (f.Stop.ValueKind != JsonValueKind.Undefined)
        {
            return GatewayError.BadRequest("'stop' must be a string or an array of strings.", "stop");
        }

        if (f.ResponseFormat.ValueKind != JsonValueKind.Undefined)
        {
            var type = f.ResponseFormat.ValueKind == JsonValueKind.Object && f.ResponseFormat.TryGetProperty("type", out var t)
                && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            switch (type)
            {
                case "text":
                    break;
                case "json_object":
                    Begin();
                    writer.WriteString("responseMimeType", "application/json");
                    break;
                case "json_schema":
                    Begin();
                    writer.WriteString("responseMimeType", "application/json");
                    if (f.ResponseFormat.TryGetProperty("json_schema", out var jsonSchema) && jsonSchema.ValueKind == JsonValueKind.Object
                        && jsonSchema.TryGetProperty("schema", out var schema) && schema.ValueKind == JsonValueKind.Object)
                    {
                        writer.WritePropertyName("responseSchema");
                        if (!GeminiSchemaTranslator.Write(writer, schema))
                            return GatewayError.BadRequest("The response_format schema nests too deeply or refers to itself ($ref cycles cannot be inlined for Gemini).", "response_format");
                    }
                    break;
                default:
                    return GatewayError.BadRequest("'response_format.type' must be \"text\", \"json_object\" or \"json_schema\".", "response_format");
            }
        }

        error = WriteThinking(writer, f, Begin);
        if (error is not null)
            return error;
        if (started)
            writer.WriteEndObject();
        return null;
    }

    private static GatewayError? WriteThinking(Utf8JsonWriter writer, in Fields f, Action begin)
    {
        int? budget = null;
        if (f.ReasoningEffort.ValueKind != JsonValueKind.Undefined)
        {
            budget = f.ReasoningEffort.ValueKind == JsonValueKind.String ? GeminiWire.ThinkingBudget(f.ReasoningEffort.GetString()) : null;
            if (budget is null)
                return GatewayError.BadRequest("'reasoning_effort' must be one of none, minimal, low, medium, high.", "reasoning_effort");
        }
        // Anthropic-style {"type":"enabled","budget_tokens":N}, which LiteLLM also accepts for Gemini.
        else if (f.Thinking.ValueKind == JsonValueKind.Object)
        {
            if (f.Thinking.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.ValueEquals("disabled"))
                budget = 0;
            else if (f.Thinking.TryGetProperty("budget_tokens", out var tokens) && tokens.ValueKind == JsonValueKind.Number && tokens.TryGetInt32(out var n))
                budget = n;
        }
        if (budget is null)
            return null;
        begin();
        writer.WriteStartObject("thinkingConfig");
        if (budget > 0)
            writer.WriteBoolean("includeThoughts", true);
        writer.WriteNumber("thinkingBudget", budget.Value);
        writer.WriteEndObject();
        return null;
    }
}
