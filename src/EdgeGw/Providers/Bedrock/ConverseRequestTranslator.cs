using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Json;

namespace EdgeGw.Providers.Bedrock;

/// <summary>
/// OpenAI chat request → Bedrock <c>Converse</c> request, once per call: <c>messages</c> read in place
/// (<see cref="RawJson"/>), the other fields from a <see cref="JsonDocument"/> over the body without
/// them, the upstream body written with one <see cref="Utf8JsonWriter"/>. <c>max_tokens</c>,
/// <c>temperature</c>, <c>top_p</c> and <c>stop</c> go to <c>inferenceConfig</c>; <c>top_k</c> and Claude's
/// <c>thinking</c> (or <c>reasoning_effort</c>, at LiteLLM's budgets) to <c>additionalModelRequestFields</c>;
/// <c>guardrailConfig</c> and <c>performanceConfig</c> pass through. Other OpenAI parameters are a 400,
/// or dropped with drop_params.
/// </summary>
internal static class ConverseRequestTranslator
{
    private struct Fields
    {
        public JsonElement Tools, ToolChoice, ResponseFormat, Stop, Temperature, TopP, TopK, Thinking, Guardrail, Performance;
        public int? MaxTokens;
        public string? ReasoningEffort;
    }

    public static ConverseTranslation Translate(ReadOnlyMemory<byte> body, in ConverseRequestOptions options, IBufferWriter<byte> output)
    {
        if (JsonText.InvalidTextError(body.Span) is { } invalid)
            return new ConverseTranslation(invalid, null, []);
        try
        {
            var messages = RawJson.TakeMessages(body, out var rest);
            using (rest)
            {
                using var doc = JsonDocument.Parse(rest.WrittenMemory, new JsonDocumentOptions { MaxDepth = 256 });
                return TranslateRoot(doc.RootElement, messages, options, output);
            }
        }
        catch (ConverseRequestException e)
        {
            return new ConverseTranslation(GatewayError.BadRequest(e.Message, e.Param), null, []);
        }
        catch (JsonException e)
        {
            return new ConverseTranslation(GatewayError.BadRequest($"Malformed JSON in request body: {e.Message}"), null, []);
        }
        catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or FormatException)
        {
            // A value of an unexpected JSON kind where the checks did not anticipate it, as in the other translators.
            return new ConverseTranslation(GatewayError.BadRequest($"The request cannot be translated for bedrock: {e.Message}"), null, []);
        }
    }

    private static ConverseTranslation TranslateRoot(JsonElement root, RawJson messages, in ConverseRequestOptions options, IBufferWriter<byte> output)
    {
        var baseModel = BedrockModelId.Base(options.ModelId);
        var claude = BedrockModelId.IsAnthropic(baseModel);
        var drop = options.DropParams || (root.TryGetProperty("drop_params", out var d) && d.ValueKind == JsonValueKind.True);
        var f = default(Fields);
        List<string>? unsupported = null;
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            if (value.ValueKind == JsonValueKind.Null)
                continue; // an explicit null is the default: nothing to honour
            switch (property.Name)
            {
                case "model" or "stream" or "stream_options" or "user" or "metadata" or "store" or "drop_params"
                    or "safety_identifier" or "prompt_cache_key" or "service_tier" or "messages":
                    break;
                case "max_tokens" or "max_completion_tokens":
                    f.MaxTokens = property.Name == "max_tokens" && f.MaxTokens is not null ? f.MaxTokens : PositiveInt(value, property.Name);
                    break;
                case "temperature": f.Temperature = Number(value, "temperature"); break;
                case "top_p": f.TopP = Number(value, "top_p"); break;
                case "stop": f.Stop = value; break;
                case "tools": f.Tools = value; break;
                case "tool_choice": f.ToolChoice = value; break;
                case "response_format": f.ResponseFormat = value; break;
                case "guardrailConfig": f.Guardrail = Object(value, "guardrailConfig"); break;
                case "performanceConfig": f.Performance = Object(value, "performanceConfig"); break;
                // Converse calls tools in parallel or not as the model likes; only asking it not to is unsupported.
                case "parallel_tool_calls" when value.ValueKind == JsonValueKind.True:
                    break;
                case "top_k" when claude || BedrockModelId.IsNova(baseModel):
                    f.TopK = Number(value, "top_k");
                    break;
                case "reasoning_effort" when claude:
                    f.ReasoningEffort = value.ValueKind == JsonValueKind.String
                        ? value.GetString()
                        : throw new ConverseRequestException("'reasoning_effort' must be one of none, minimal, low, medium, high.", "reasoning_effort");
                    break;
                case "thinking" when claude:
                    f.Thinking = Object(value, "thinking");
                    break;
                default:
                    if (!Anthropic.UnsupportedParams.IsHarmless(property.Name, value))
                        (unsupported ??= []).Add(property.Name);
                    break;
            }
        }
        if (unsupported is not null && !drop)
        {
            var list = string.Join(", ", unsupported.Select(n => $"'{n}'"));
            throw new ConverseRequestException(
                $"bedrock does not support parameters: [{list}], for model={options.ModelId}. To drop these, set `drop_params: true` in litellm_settings or in the request body.",
                unsupported[0]);
        }

        var budget = ThinkingBudget(f.ReasoningEffort, f.Thinking);
        var maxTokens = f.MaxTokens;
        if (budget is { } b)
        {
            // Thinking counts against maxTokens, which must exceed the budget: keep the room the client asked for the answer.
            if (maxTokens is null)
                maxTokens = b + Anthropic.AnthropicWire.DefaultMaxTokens;
            else if (maxTokens <= b)
                maxTokens += b;
        }

        using var json = new Utf8JsonWriter(output, JsonOptions.Writer);
        json.WriteStartObject();
        var historyHasTools = ConverseMessageWriter.Write(json, messages);
        WriteInferenceConfig(json, maxTokens, f);
        var jsonTool = ConverseToolWriter.Write(json, f.Tools, f.ToolChoice, f.ResponseFormat, budget is not null, historyHasTools);
        WriteAdditionalFields(json, f, budget, claude);
        WriteIfObject(json, "guardrailConfig"u8, f.Guardrail);
        WriteIfObject(json, "performanceConfig"u8, f.Performance);
        json.WriteEndObject();
        json.Flush();
        return new ConverseTranslation(null, jsonTool, drop && unsupported is not null ? unsupported : []);
    }

    private static void WriteInferenceConfig(Utf8JsonWriter json, int? maxTokens, in Fields f)
    {
        var stops = StopCount(f.Stop);
        if (maxTokens is null && f.Temperature.ValueKind == JsonValueKind.Undefined && f.TopP.ValueKind == JsonValueKind.Undefined && stops == 0)
            return;
        json.WriteStartObject("inferenceConfig"u8);
        if (maxTokens is { } max)
            json.WriteNumber("maxTokens"u8, max);
        WriteIfNumber(json, "temperature"u8, f.Temperature);
        WriteIfNumber(json, "topP"u8, f.TopP);
        if (stops > 0)
        {
            json.WriteStartArray("stopSequences"u8);
            if (f.Stop.ValueKind == JsonValueKind.String)
                json.WriteStringValue(f.Stop.GetString());
            else
            {
                foreach (var stop in f.Stop.EnumerateArray())
                {
                    if (stop.GetString() is { Length: > 0 } text)
                        json.WriteStringValue(text);
                }
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }

    /// <summary>The non-empty stop strings (Converse rejects an empty one, so LiteLLM leaves those out).</summary>
    private static int StopCount(JsonElement stop)
    {
        switch (stop.ValueKind)
        {
            case JsonValueKind.Undefined:
                return 0;
            case JsonValueKind.String:
                return stop.GetString()!.Length > 0 ? 1 : 0;
            case JsonValueKind.Array:
                var count = 0;
                foreach (var s in stop.EnumerateArray())
                {
                    if (s.ValueKind != JsonValueKind.String)
                        throw new ConverseRequestException("'stop' must be a string or an array of strings.", "stop");
                    count += s.GetString()!.Length > 0 ? 1 : 0;
                }
                return count;
            default:
                throw new ConverseRequestException("'stop' must be a string or an array of strings.", "stop");
        }
    }

    private static void WriteAdditionalFields(Utf8JsonWriter json, in Fields f, int? budget, bool claude)
    {
        var thinking = f.Thinking.ValueKind == JsonValueKind.Object || budget is not null;
        if (!thinking && f.TopK.ValueKind == JsonValueKind.Undefined)
            return;
        json.WriteStartObject("additionalModelRequestFields"u8);
        if (f.TopK.ValueKind == JsonValueKind.Number)
        {
            // Claude takes Anthropic's top_k; Nova takes it inside its own inferenceConfig (LiteLLM's _handle_top_k_value).
            if (claude)
            {
                json.WritePropertyName("top_k"u8);
                f.TopK.WriteTo(json);
            }
            else
            {
                json.WriteStartObject("inferenceConfig"u8);
                json.WritePropertyName("topK"u8);
                f.TopK.WriteTo(json);
                json.WriteEndObject();
            }
        }
        if (f.Thinking.ValueKind == JsonValueKind.Object)
        {
            json.WritePropertyName("thinking"u8);
            f.Thinking.WriteTo(json);
        }
        else if (budget is { } tokens)
        {
            json.WriteStartObject("thinking"u8);
            json.WriteString("type"u8, "enabled"u8);
            json.WriteNumber("budget_tokens"u8, tokens);
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    /// <summary>LiteLLM's reasoning_effort budgets (Anthropic's: 1024 / 2048 / 4096); an explicit thinking object wins.</summary>
    private static int? ThinkingBudget(string? effort, JsonElement thinking)
    {
        if (thinking.ValueKind == JsonValueKind.Object)
        {
            if (thinking.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.ValueEquals("disabled"))
                return null;
            return thinking.TryGetProperty("budget_tokens", out var t) && t.TryGetInt32(out var n) ? n : null;
        }
        if (effort is null or "none")
            return null;
        return Anthropic.AnthropicWire.ThinkingBudget(effort)
            ?? throw new ConverseRequestException($"'reasoning_effort' must be one of none, minimal, low, medium, high; got '{effort}'.", "reasoning_effort");
    }

    private static void WriteIfNumber(Utf8JsonWriter json, ReadOnlySpan<byte> name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Number)
            return;
        json.WritePropertyName(name);
        value.WriteTo(json);
    }

    private static void WriteIfObject(Utf8JsonWriter json, ReadOnlySpan<byte> name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
            return;
        json.WritePropertyName(name);
        value.WriteTo(json);
    }

    private static JsonElement Number(JsonElement value, string name) =>
        value.ValueKind == JsonValueKind.Number ? value : throw new ConverseRequestException($"'{name}' must be a number.", name);

    private static JsonElement Object(JsonElement value, string name) =>
        value.ValueKind == JsonValueKind.Object ? value : throw new ConverseRequestException($"'{name}' must be an object.", name);

    private static int PositiveInt(JsonElement value, string name) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n > 0
            ? n
            : throw new ConverseRequestException($"'{name}' must be a positive integer.", name);
}
