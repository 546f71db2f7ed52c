using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Json;

namespace EdgeGw.Providers.Anthropic;

/// <summary>
/// OpenAI chat request → Anthropic Messages request, once per call: <c>messages</c> (nearly all of a
/// large body) are read in place as <see cref="RawJson"/>, the other fields with a <see cref="JsonDocument"/>
/// over the body without them, and the upstream body written with one <see cref="Utf8JsonWriter"/>.
/// Unknown OpenAI fields (<c>stream_options</c>, <c>metadata</c>, <c>store</c>, <c>service_tier</c>…)
/// are ignored; parameters Anthropic cannot honour are refused or, with drop_params, dropped.
/// </summary>
internal static class AnthropicRequestTranslator
{
    public static AnthropicTranslation Translate(ReadOnlyMemory<byte> body, in AnthropicRequestOptions options, IBufferWriter<byte> output)
    {
        if (JsonText.InvalidTextError(body.Span) is { } invalid)
            return new AnthropicTranslation(invalid, false, []);
        try
        {
            var messages = RawJson.TakeMessages(body, out var rest);
            using (rest)
            {
                using var doc = JsonDocument.Parse(rest.WrittenMemory);
                return TranslateRoot(doc.RootElement, messages, options, output);
            }
        }
        catch (AnthropicRequestException e)
        {
            return new AnthropicTranslation(GatewayError.BadRequest(e.Message, e.Param), false, []);
        }
        catch (JsonException e)
        {
            return new AnthropicTranslation(GatewayError.BadRequest($"Malformed JSON in request body: {e.Message}"), false, []);
        }
        catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException)
        {
            // A value of an unexpected JSON kind (or a missing one) where the checks did not anticipate it, as in the Gemini and Ollama translators.
            return new AnthropicTranslation(GatewayError.BadRequest($"The request cannot be translated for Anthropic: {e.Message}"), false, []);
        }
    }

    private static AnthropicTranslation TranslateRoot(JsonElement root, RawJson messages, in AnthropicRequestOptions options, IBufferWriter<byte> output)
    {
        JsonElement tools = default, toolChoice = default, responseFormat = default, stop = default;
        JsonElement temperature = default, topP = default, topK = default, thinking = default, user = default;
        int? maxTokens = null, maxCompletionTokens = null;
        bool? parallelToolCalls = null;
        string? reasoningEffort = null;
        var dropParams = options.DropParams;
        List<string>? unsupported = null;

        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "messages": break; // read in place: see RawJson.TakeMessages
                case "max_tokens": maxTokens = PositiveInt(value, "max_tokens"); break;
                case "max_completion_tokens": maxCompletionTokens = PositiveInt(value, "max_completion_tokens"); break;
                case "temperature": temperature = Number(value, "temperature"); break;
                case "top_p": topP = Number(value, "top_p"); break;
                case "top_k": topK = Number(value, "top_k"); break;
                case "stop": stop = value; break;
                case "tools": tools = value; break;
                case "tool_choice": toolChoice = value; break;
                case "parallel_tool_calls":
                    parallelToolCalls = value.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        JsonValueKind.Null => null,
                        _ => throw new AnthropicRequestException("'parallel_tool_calls' must be true or false.", "parallel_tool_calls"),
                    };
                    break;
                case "response_format": responseFormat = value; break;
                case "reasoning_effort":
                    if (value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                        throw new AnthropicRequestException("'reasoning_effort' must be one of low, medium, high.", "reasoning_effort");
                    reasoningEffort = value.GetString();
                    break;
                case "thinking": thinking = value; break; // Anthropic's own parameter, as LiteLLM accepts it
                case "user": user = value; break;
                case "drop_params": dropParams |= value.ValueKind == JsonValueKind.True; break;
                default:
                    if (UnsupportedParams.IsUnsupported(property.Name) && !UnsupportedParams.IsHarmless(property.Name, value))
                        (unsupported ??= []).Add(property.Name);
                    break;
            }
        }

        if (unsupported is not null && !dropParams)
        {
            var list = string.Join(", ", unsupported.Select(n => $"'{n}'"));
            throw new AnthropicRequestException(
                $"anthropic does not support parameters: [{list}], for model={options.ModelId}. To drop these, set `drop_params: true` in litellm_settings or in the request body.",
                unsupported[0]);
        }

        var budget = ThinkingBudget(reasoningEffort, thinking);
        var max = maxCompletionTokens ?? maxTokens ?? options.DeploymentMaxTokens ?? AnthropicWire.DefaultMaxTokens;
        if (budget is { } b && max <= b)
            max += b; // thinking counts against max_tokens: keep the room the client asked for the answer

        using var lease = ThreadJsonWriter.Rent(output, out var json);
        json.WriteStartObject();
        if (options.BodyVersion is { } version)
            json.WriteString("anthropic_version"u8, version);
        else
            json.WriteString("model"u8, options.ModelId);
        json.WriteNumber("max_tokens"u8, max);
        AnthropicMessageWriter.Write(json, messages);
        var jsonMode = AnthropicToolWriter.Write(json, tools, toolChoice, parallelToolCalls, responseFormat);
        WriteStop(json, stop);
        WriteIfPresent(json, "temperature"u8, temperature);
        WriteIfPresent(json, "top_p"u8, topP);
        WriteIfPresent(json, "top_k"u8, topK);
        if (user.ValueKind == JsonValueKind.String)
        {
            json.WriteStartObject("metadata"u8);
            json.WriteString("user_id"u8, user.GetString());
            json.WriteEndObject();
        }
        if (thinking.ValueKind == JsonValueKind.Object)
        {
            json.WritePropertyName("thinking"u8);
            thinking.WriteTo(json);
        }
        else if (budget is { } tokens)
        {
            json.WriteStartObject("thinking"u8);
            json.WriteString("type"u8, "enabled"u8);
            json.WriteNumber("budget_tokens"u8, tokens);
            json.WriteEndObject();
        }
        if (options.Stream)
            json.WriteBoolean("stream"u8, true);
        json.WriteEndObject();
        json.Flush();
        return new AnthropicTranslation(null, jsonMode, dropParams && unsupported is not null ? unsupported : []);
    }

    private static int? ThinkingBudget(string? effort, JsonElement thinking)
    {
        if (thinking.ValueKind == JsonValueKind.Object)
        {
            return thinking.TryGetProperty("budget_tokens", out var t) && t.TryGetInt32(out var n) ? n : null;
        }
        if (thinking.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
            throw new AnthropicRequestException("'thinking' must be an object like {\"type\":\"enabled\",\"budget_tokens\":2048}.", "thinking");
        if (effort is null or "none")
            return null;
        return AnthropicWire.ThinkingBudget(effort)
            ?? throw new AnthropicRequestException($"'reasoning_effort' must be one of low, medium, high; got '{effort}'.", "reasoning_effort");
    }

    private static void WriteStop(Utf8JsonWriter json, JsonElement stop)
    {
        switch (stop.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                return;
            case JsonValueKind.String:
                json.WriteStartArray("stop_sequences"u8);
                json.WriteStringValue(stop.GetString());
                json.WriteEndArray();
                return;
            case JsonValueKind.Array:
                json.WriteStartArray("stop_sequences"u8);
                foreach (var s in stop.EnumerateArray())
                {
                    if (s.ValueKind != JsonValueKind.String)
                        throw new AnthropicRequestException("'stop' must be a string or an array of strings.", "stop");
                    json.WriteStringValue(s.GetString());
                }
                json.WriteEndArray();
                return;
            default:
                throw new AnthropicRequestException("'stop' must be a string or an array of strings.", "stop");
        }
    }

    private static void WriteIfPresent(Utf8JsonWriter json, ReadOnlySpan<byte> name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Number)
            return;
        json.WritePropertyName(name);
        value.WriteTo(json);
    }

    private static JsonElement Number(JsonElement value, string name) =>
        value.ValueKind is JsonValueKind.Number or JsonValueKind.Null
            ? value
            : throw new AnthropicRequestException($"'{name}' must be a number.", name);

    private static int? PositiveInt(JsonElement value, string name)
    {
        if (value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n > 0)
            return n;
        throw new AnthropicRequestException($"'{name}' must be a positive integer.", name);
    }
}
