using System.Runtime.InteropServices;
using System.Text.Json;
using EdgeGw.Buffers;
using EdgeGw.Json;
using EdgeGw.Streaming;

namespace EdgeGw.Providers.Bedrock;

/// <summary>
/// Bedrock <c>ConverseResponse</c> → OpenAI <c>chat.completion</c>: text blocks joined into
/// <c>content</c>, <c>toolUse</c> blocks as <c>tool_calls</c> (the input object as the arguments
/// string), <c>reasoningContent</c> as <c>reasoning_content</c> and LiteLLM's <c>thinking_blocks</c>,
/// <c>stopReason</c> as <c>finish_reason</c>; the JSON tool of a <c>response_format</c> request becomes
/// the text. Strings are copied as the upstream escaped them, never decoded and re-encoded.
/// </summary>
internal static class ConverseResponseTranslator
{
    /// <summary>Writes the completion; false when <paramref name="body"/> is not a Converse response.</summary>
    public static bool TryTranslate(ReadOnlyMemory<byte> body, byte[] modelJson, string? jsonTool, long created, IBufferWriter<byte> output, out Usage usage)
    {
        usage = default;
        try
        {
            using var doc = JsonDocument.Parse(body);
            return Translate(doc.RootElement, modelJson, jsonTool, created, output, ref usage);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    private static bool Translate(JsonElement root, byte[] modelJson, string? jsonTool, long created, IBufferWriter<byte> output, ref Usage usage)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("output", out var result) || result.ValueKind != JsonValueKind.Object)
            return false;
        var content = result.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object
            && message.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.Array ? c : default;

        var converseUsage = default(ConverseUsage);
        if (root.TryGetProperty("usage", out var u))
        {
            var reader = new Utf8JsonReader(JsonMarshal.GetRawUtf8Value(u));
            reader.Read();
            converseUsage.Read(ref reader);
        }
        usage = converseUsage.ToOpenAi();

        int texts = 0, calls = 0, reasoning = 0;
        if (content.ValueKind == JsonValueKind.Array)
        {
            foreach (var block in content.EnumerateArray())
            {
                if (block.ValueKind != JsonValueKind.Object)
                    return false;
                if (block.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
                    texts++;
                else if (JsonToolInput(block, jsonTool).ValueKind != JsonValueKind.Undefined)
                    texts++;
                else if (block.TryGetProperty("toolUse", out var tool) && tool.ValueKind == JsonValueKind.Object)
                    calls++;
                else if (block.TryGetProperty("reasoningContent", out var r) && r.ValueKind == JsonValueKind.Object)
                    reasoning++;
            }
        }
        var stop = root.TryGetProperty("stopReason", out var s) && s.ValueKind == JsonValueKind.String
            ? ConverseStopReason.ToFinishReason(Content(JsonMarshal.GetRawUtf8Value(s)), jsonMode: jsonTool is not null && calls == 0)
            : calls > 0 ? FinishReason.ToolCalls : FinishReason.Stop;

        using var scratch = new PooledBufferWriter(4096);
        using var json = new Utf8JsonWriter(output, JsonOptions.Writer);
        json.WriteStartObject();
        json.WriteString("id"u8, "chatcmpl-" + Guid.NewGuid().ToString("N"));
        json.WriteString("object"u8, "chat.completion"u8);
        json.WriteNumber("created"u8, created);
        json.WritePropertyName("model"u8);
        json.WriteRawValue(modelJson, skipInputValidation: true);
        json.WriteStartArray("choices"u8);
        json.WriteStartObject();
        json.WriteNumber("index"u8, 0);
        json.WriteStartObject("message"u8);
        json.WriteString("role"u8, "assistant"u8);
        if (texts > 0)
            WriteText(json, content, jsonTool, scratch);
        else if (calls > 0)
            json.WriteNull("content"u8);
        else
            json.WriteString("content"u8, ""u8);
        if (reasoning > 0)
            WriteReasoning(json, content, scratch);
        if (calls > 0)
            WriteToolCalls(json, content, jsonTool, scratch);
        json.WriteEndObject();
        json.WriteNull("logprobs"u8);
        json.WriteString("finish_reason"u8, FinishReasonText.OpenAi(stop));
        json.WriteEndObject();
        json.WriteEndArray();
        converseUsage.Write(json);
        json.WriteEndObject();
        json.Flush();
        return true;
    }

    /// <summary>A string token's escaped content, quotes removed.</summary>
    private static ReadOnlySpan<byte> Content(ReadOnlySpan<byte> rawString) => rawString[1..^1];

    /// <summary>The input of the <c>response_format</c> tool when <paramref name="block"/> is its call.</summary>
    private static JsonElement JsonToolInput(JsonElement block, string? jsonTool)
    {
        if (jsonTool is null || !block.TryGetProperty("toolUse", out var tool) || tool.ValueKind != JsonValueKind.Object
            || !tool.TryGetProperty("name", out var name) || !name.ValueEquals(jsonTool))
            return default;
        return tool.TryGetProperty("input", out var input) ? input : default;
    }

    private static void WriteText(Utf8JsonWriter json, JsonElement content, string? jsonTool, PooledBufferWriter scratch)
    {
        scratch.Reset();
        scratch.Write("\""u8);
        foreach (var block in content.EnumerateArray())
        {
            if (block.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                scratch.Write(Content(JsonMarshal.GetRawUtf8Value(text)));
            else if (JsonToolInput(block, jsonTool) is { ValueKind: not JsonValueKind.Undefined } input)
                WriteEscaped(scratch, JsonMarshal.GetRawUtf8Value(input));
        }
        scratch.Write("\""u8);
        json.WritePropertyName("content"u8);
        json.WriteRawValue(scratch.WrittenSpan, skipInputValidation: true);
    }

    private static void WriteReasoning(Utf8JsonWriter json, JsonElement content, PooledBufferWriter scratch)
    {
        scratch.Reset();
        scratch.Write("\""u8);
        foreach (var block in content.EnumerateArray())
        {
            if (ReasoningText(block, out var text, out _))
                scratch.Write(Content(JsonMarshal.GetRawUtf8Value(text)));
        }
        scratch.Write("\""u8);
        json.WritePropertyName("reasoning_content"u8);
        json.WriteRawValue(scratch.WrittenSpan, skipInputValidation: true);

        // LiteLLM's thinking_blocks: what a client sends back in its next turn so Claude can check the signature.
        json.WriteStartArray("thinking_blocks"u8);
        foreach (var block in content.EnumerateArray())
        {
            if (ReasoningText(block, out var text, out var signature))
            {
                json.WriteStartObject();
                json.WriteString("type"u8, "thinking"u8);
                json.WritePropertyName("thinking"u8);
                json.WriteRawValue(JsonMarshal.GetRawUtf8Value(text), skipInputValidation: true);
                if (signature.ValueKind == JsonValueKind.String)
                {
                    json.WritePropertyName("signature"u8);
                    json.WriteRawValue(JsonMarshal.GetRawUtf8Value(signature), skipInputValidation: true);
                }
                json.WriteEndObject();
            }
            else if (block.TryGetProperty("reasoningContent", out var r) && r.ValueKind == JsonValueKind.Object
                && r.TryGetProperty("redactedContent", out var redacted) && redacted.ValueKind == JsonValueKind.String)
            {
                json.WriteStartObject();
                json.WriteString("type"u8, "redacted_thinking"u8);
                json.WritePropertyName("data"u8);
                json.WriteRawValue(JsonMarshal.GetRawUtf8Value(redacted), skipInputValidation: true);
                json.WriteEndObject();
            }
        }
        json.WriteEndArray();
    }

    private static bool ReasoningText(JsonElement block, out JsonElement text, out JsonElement signature)
    {
        text = signature = default;
        if (!block.TryGetProperty("reasoningContent", out var r) || r.ValueKind != JsonValueKind.Object
            || !r.TryGetProperty("reasoningText", out var rt) || rt.ValueKind != JsonValueKind.Object
            || !rt.TryGetProperty("text", out text) || text.ValueKind != JsonValueKind.String)
            return false;
        rt.TryGetProperty("signature", out signature);
        return true;
    }

    private static void WriteToolCalls(Utf8JsonWriter json, JsonElement content, string? jsonTool, PooledBufferWriter scratch)
    {
        json.WriteStartArray("tool_calls"u8);
        foreach (var block in content.EnumerateArray())
        {
            if (!block.TryGetProperty("toolUse", out var tool) || tool.ValueKind != JsonValueKind.Object
                || JsonToolInput(block, jsonTool).ValueKind != JsonValueKind.Undefined)
                continue;
            json.WriteStartObject();
            WriteRawOrEmpty(json, "id"u8, tool, "toolUseId");
            json.WriteString("type"u8, "function"u8);
            json.WriteStartObject("function"u8);
            WriteRawOrEmpty(json, "name"u8, tool, "name");
            var input = tool.TryGetProperty("input", out var i) && i.ValueKind == JsonValueKind.Object ? JsonMarshal.GetRawUtf8Value(i) : "{}"u8;
            scratch.Reset();
            scratch.Write("\""u8);
            WriteEscaped(scratch, input);
            scratch.Write("\""u8);
            json.WritePropertyName("arguments"u8);
            json.WriteRawValue(scratch.WrittenSpan, skipInputValidation: true);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WriteRawOrEmpty(Utf8JsonWriter json, ReadOnlySpan<byte> name, JsonElement obj, string property)
    {
        json.WritePropertyName(name);
        if (obj.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String)
            json.WriteRawValue(JsonMarshal.GetRawUtf8Value(value), skipInputValidation: true);
        else
            json.WriteStringValue(""u8);
    }

    /// <summary>Raw JSON (an input object) as JSON string content: OpenAI carries tool arguments as a string.</summary>
    private static void WriteEscaped(PooledBufferWriter scratch, ReadOnlySpan<byte> raw)
    {
        var written = JsonStringEscape.Escape(raw, scratch.GetSpan(JsonStringEscape.MaxLength(raw.Length) + 1));
        scratch.Advance(written);
    }
}
