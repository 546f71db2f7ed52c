using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Json;

namespace EdgeGw.Providers.Ollama;

/// <summary>
/// OpenAI chat request → Ollama's <c>/api/chat</c> body (<c>ollama_chat/</c>) or <c>/api/generate</c>
/// body (<c>ollama/</c>), once per request, as LiteLLM maps it: <c>max_tokens</c> →
/// <c>options.num_predict</c>; temperature, top_p, top_k, seed, stop and the penalties → <c>options</c>;
/// <c>response_format</c> → <c>format</c> (<c>"json"</c> or the schema); <c>reasoning_effort</c> /
/// <c>thinking</c> → <c>think</c>. Ollama's own fields (<c>options</c>, <c>format</c>, <c>think</c>,
/// <c>keep_alive</c>, <c>num_ctx</c> and the other option names) pass through. <c>tool_choice</c> is
/// not sent (Ollama has none; LiteLLM drops it too), except that <c>"none"</c> withholds the tools.
/// Anything else is a 400 naming it, unless <c>drop_params</c> is on. <c>messages</c> (nearly all of a
/// large body) are read in place as <see cref="RawJson"/>, the other fields with a <see cref="JsonDocument"/>
/// over the body without them.
/// </summary>
internal static class OllamaRequestTranslator
{
    private struct Fields
    {
        public RawJson Messages;
        public JsonElement Tools, ToolChoice, MaxTokens, MaxCompletionTokens, Temperature, TopP, TopK, Seed, Stop,
            FrequencyPenalty, PresencePenalty, ResponseFormat, Format, ReasoningEffort, Thinking, Think, KeepAlive, Options;
        public bool Stream;
    }

    public static GatewayError? Translate(ReadOnlyMemory<byte> body, Config.Deployment deployment, bool generate, bool dropParams,
        IBufferWriter<byte> output, List<string> dropped)
    {
        if (JsonText.InvalidTextError(body.Span) is { } invalid)
            return invalid;
        try
        {
            var fields = new Fields { Messages = RawJson.TakeMessages(body, out var rest) };
            using (rest)
            {
                using var doc = JsonDocument.Parse(rest.WrittenMemory, new JsonDocumentOptions { MaxDepth = 256 });
                var root = doc.RootElement;
                var drop = dropParams || (root.TryGetProperty("drop_params", out var dropValue) && dropValue.ValueKind == JsonValueKind.True);
                var native = new List<JsonProperty>();
                var error = Classify(root, generate, drop, ref fields, native, dropped);
                if (error is not null)
                    return error;
                return Write(fields, native, deployment, generate, output);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or JsonException)
        {
            // A value of an unexpected JSON kind somewhere the checks did not anticipate.
            return GatewayError.BadRequest($"The request cannot be translated for Ollama: {e.Message}");
        }
    }

    private static GatewayError? Classify(JsonElement root, bool generate, bool drop, ref Fields f, List<JsonProperty> native, List<string> dropped)
    {
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            if (value.ValueKind == JsonValueKind.Null)
                continue; // an explicit null is the default: nothing to honour
            switch (property.Name)
            {
                // Harmless to leave out: LiteLLM's own fields among them are the gateway's, not Ollama's.
                case "model" or "stream_options" or "user" or "metadata" or "store" or "drop_params" or "safety_identifier"
                    or "prompt_cache_key" or "service_tier" or "parallel_tool_calls" or "tags" or "litellm_metadata" or "request_timeout":
                case "n" when value.ValueKind == JsonValueKind.Number && value.GetDouble() == 1:
                case "logprobs" when value.ValueKind == JsonValueKind.False:
                    break;
                case "stream": f.Stream = value.ValueKind == JsonValueKind.True; break;
                case "messages": break; // read in place: see RawJson.TakeMessages
                case "tools" when !generate: f.Tools = value; break;
                case "tools" when value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 0: break;
                case "tool_choice": f.ToolChoice = value; break;
                case "max_tokens": f.MaxTokens = value; break;
                case "max_completion_tokens": f.MaxCompletionTokens = value; break;
                case "temperature": f.Temperature = value; break;
                case "top_p": f.TopP = value; break;
                case "top_k": f.TopK = value; break;
                case "seed": f.Seed = value; break;
                case "stop": f.Stop = value; break;
                case "frequency_penalty": f.FrequencyPenalty = value; break;
                case "presence_penalty": f.PresencePenalty = value; break;
                case "response_format": f.ResponseFormat = value; break;
                case "reasoning_effort": f.ReasoningEffort = value; break;
                case "thinking": f.Thinking = value; break;
                case "format": f.Format = value; break;
                case "think": f.Think = value; break;
                case "keep_alive": f.KeepAlive = value; break;
                case "options" when value.ValueKind == JsonValueKind.Object: f.Options = value; break;
                case var name when OllamaWire.OptionNames.Contains(name): native.Add(property); break;
                default:
                    if (!drop)
                        return GatewayError.BadRequest(
                            $"Ollama ({(generate ? "ollama/" : "ollama_chat/")}) does not support the parameter '{property.Name}'."
                            + (property.Name == "tools" ? " Use an ollama_chat/ deployment for tool calling." : "")
                            + " Remove it, or set drop_params: true to drop unsupported parameters.",
                            property.Name);
                    dropped.Add(property.Name);
                    break;
            }
        }
        if (f.Messages.ValueKind != JsonValueKind.Array)
            return GatewayError.BadRequest("'messages' must be an array.", "messages");
        return null;
    }

    private static GatewayError? Write(in Fields f, List<JsonProperty> native, Config.Deployment deployment, bool generate, IBufferWriter<byte> output)
    {
        var modelId = deployment.ModelId;
        using var writer = new Utf8JsonWriter(output, JsonOptions.Writer);
        writer.WriteStartObject();
        writer.WriteString("model"u8, modelId);
        var error = generate ? OllamaPromptWriter.Write(writer, output, f.Messages) : OllamaMessagesWriter.Write(writer, output, f.Messages);
        if (error is not null)
            return error;
        writer.WriteBoolean("stream"u8, f.Stream);
        error = WriteTools(writer, f.Tools, f.ToolChoice) ?? WriteFormat(writer, f) ?? WriteThink(writer, f, modelId);
        if (error is not null)
            return error;
        if (f.KeepAlive.ValueKind != JsonValueKind.Undefined)
        {
            writer.WritePropertyName("keep_alive"u8);
            f.KeepAlive.WriteTo(writer);
        }
        else if (deployment.OtherParams.TryGetValue("keep_alive", out var keepAlive))
        {
            writer.WritePropertyName("keep_alive"u8);
            WriteScalar(writer, keepAlive);
        }
        error = WriteOptions(writer, f, native, deployment);
        if (error is not null)
            return error;
        writer.WriteEndObject();
        return null;
    }

    private static GatewayError? WriteTools(Utf8JsonWriter writer, JsonElement tools, JsonElement choice)
    {
        if (tools.ValueKind == JsonValueKind.Undefined)
            return null;
        if (tools.ValueKind != JsonValueKind.Array)
            return GatewayError.BadRequest("'tools' must be an array.", "tools");
        if (tools.GetArrayLength() == 0 || (choice.ValueKind == JsonValueKind.String && choice.ValueEquals("none")))
            return null;
        foreach (var tool in tools.EnumerateArray())
        {
            if (tool.ValueKind != JsonValueKind.Object || !tool.TryGetProperty("function", out var function)
                || function.ValueKind != JsonValueKind.Object || !function.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
                return GatewayError.BadRequest("Ollama supports only function tools: {\"type\":\"function\",\"function\":{\"name\":…}}.", "tools");
        }
        // Ollama's tool definitions are OpenAI's, byte for byte.
        writer.WritePropertyName("tools"u8);
        tools.WriteTo(writer);
        return null;
    }

    private static GatewayError? WriteFormat(Utf8JsonWriter writer, in Fields f)
    {
        if (f.Format.ValueKind != JsonValueKind.Undefined)
        {
            writer.WritePropertyName("format"u8);
            f.Format.WriteTo(writer);
            return null;
        }
        if (f.ResponseFormat.ValueKind == JsonValueKind.Undefined)
            return null;
        var type = f.ResponseFormat.ValueKind == JsonValueKind.Object && f.ResponseFormat.TryGetProperty("type", out var t)
            && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        switch (type)
        {
            case "text":
                return null;
            case "json_object":
                writer.WriteString("format"u8, "json"u8);
                return null;
            case "json_schema":
                if (f.ResponseFormat.TryGetProperty("json_schema", out var jsonSchema) && jsonSchema.ValueKind == JsonValueKind.Object
                    && jsonSchema.TryGetProperty("schema", out var schema) && schema.ValueKind == JsonValueKind.Object)
                {
                    writer.WritePropertyName("format"u8);
                    schema.WriteTo(writer);
                }
                else
                {
                    writer.WriteString("format"u8, "json"u8);
                }
                return null;
            default:
                return GatewayError.BadRequest("'response_format.type' must be \"text\", \"json_object\" or \"json_schema\".", "response_format");
        }
    }

    /// <summary>
    /// <c>think</c> is a bool, or a level for gpt-oss (which cannot turn thinking off): an effort of
    /// none turns thinking off, any other turns it on (LiteLLM's mapping).
    /// </summary>
    private static GatewayError? WriteThink(Utf8JsonWriter writer, in Fields f, string modelId)
    {
        if (f.Think.ValueKind != JsonValueKind.Undefined)
        {
            writer.WritePropertyName("think"u8);
            f.Think.WriteTo(writer);
            return null;
        }
        if (f.ReasoningEffort.ValueKind != JsonValueKind.Undefined)
        {
            var effort = f.ReasoningEffort.ValueKind == JsonValueKind.String ? f.ReasoningEffort.GetString() : null;
            if (effort is not ("none" or "disable" or "minimal" or "low" or "medium" or "high"))
                return GatewayError.BadRequest("'reasoning_effort' must be one of none, minimal, low, medium, high.", "reasoning_effort");
            if (modelId.StartsWith("gpt-oss", StringComparison.Ordinal))
                writer.WriteString("think"u8, effort is "none" or "disable" or "minimal" ? "low" : effort);
            else
                writer.WriteBoolean("think"u8, effort is not ("none" or "disable"));
            return null;
        }
        // Anthropic-style {"type":"enabled"|"disabled", "budget_tokens"}: Ollama has no budget, only on or off.
        if (f.Thinking.ValueKind == JsonValueKind.Object && f.Thinking.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String)
            writer.WriteBoolean("think"u8, !type.ValueEquals("disabled"));
        return null;
    }

    /// <summary>A YAML scalar as JSON: a number or boolean as itself, anything else as a string.</summary>
    private static void WriteScalar(Utf8JsonWriter writer, string value)
    {
        if (double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number))
            writer.WriteNumberValue(number);
        else if (bool.TryParse(value, out var flag))
            writer.WriteBooleanValue(flag);
        else
            writer.WriteStringValue(value);
    }

    private static GatewayError? WriteOptions(Utf8JsonWriter writer, in Fields f, List<JsonProperty> native, Config.Deployment deployment)
    {
        var started = false;
        void Begin()
        {
            if (!started)
            {
                started = true;
                writer.WriteStartObject("options"u8);
            }
        }
        GatewayError? Number(ReadOnlySpan<byte> name, string param, JsonElement value)
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

        // The deployment's options first: the request's own, written later, win (Go keeps the last duplicate key).
        foreach (var (name, value) in deployment.OtherParams)
        {
            if (OllamaWire.OptionNames.Contains(name))
            {
                Begin();
                writer.WritePropertyName(name);
                WriteScalar(writer, value);
            }
        }

        var maxParam = f.MaxCompletionTokens.ValueKind != JsonValueKind.Undefined ? "max_completion_tokens" : "max_tokens";
        var error = Number("num_predict"u8, maxParam, f.MaxCompletionTokens.ValueKind != JsonValueKind.Undefined ? f.MaxCompletionTokens : f.MaxTokens)
            ?? Number("temperature"u8, "temperature", f.Temperature)
            ?? Number("top_p"u8, "top_p", f.TopP)
            ?? Number("top_k"u8, "top_k", f.TopK)
            ?? Number("seed"u8, "seed", f.Seed)
            ?? Number("frequency_penalty"u8, "frequency_penalty", f.FrequencyPenalty)
            ?? Number("presence_penalty"u8, "presence_penalty", f.PresencePenalty);
        if (error is not null)
            return error;

        // Ollama's stop is a list; OpenAI also allows a single string.
        if (f.Stop.ValueKind != JsonValueKind.Undefined)
        {
            if (f.Stop.ValueKind == JsonValueKind.String)
            {
                Begin();
                writer.WriteStartArray("stop"u8);
                writer.WriteStringValue(f.Stop.GetString());
                writer.WriteEndArray();
            }
            else if (f.Stop.ValueKind == JsonValueKind.Array && f.Stop.EnumerateArray().All(s => s.ValueKind == JsonValueKind.String))
            {
                Begin();
                writer.WritePropertyName("stop"u8);
                f.Stop.WriteTo(writer);
            }
            else
            {
                return GatewayError.BadRequest("'stop' must be a string or an array of strings.", "stop");
            }
        }

        foreach (var option in native)
        {
            Begin();
            option.WriteTo(writer);
        }
        // The client's own options object last: Ollama (Go) keeps the last of duplicate keys.
        if (f.Options.ValueKind == JsonValueKind.Object)
        {
            foreach (var option in f.Options.EnumerateObject())
            {
                Begin();
                option.WriteTo(writer);
            }
        }
        if (started)
            writer.WriteEndObject();
        return null;
    }
}
