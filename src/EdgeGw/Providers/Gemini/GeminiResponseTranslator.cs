using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Buffers;
using EdgeGw.Json;
using EdgeGw.Streaming;

namespace EdgeGw.Providers.Gemini;

/// <summary>
/// Gemini <c>GenerateContentResponse</c> → OpenAI <c>chat.completion</c>: one choice per candidate;
/// text parts joined into <c>content</c>, <c>thought</c> parts into <c>reasoning_content</c>,
/// <c>functionCall</c> parts into <c>tool_calls</c> (ids from <see cref="GeminiToolCallIds"/>). Text is
/// copied as the upstream's escaped bytes, never decoded and re-encoded. A prompt blocked by
/// <c>promptFeedback.blockReason</c> (no candidates) becomes one empty choice ending in
/// <c>content_filter</c> — a 200, as OpenAI itself reports filtered output.
/// </summary>
internal static class GeminiResponseTranslator
{
    /// <summary>Null on success; otherwise the error the body held (or its malformedness).</summary>
    public static GatewayError? Translate(
        ReadOnlyMemory<byte> json, byte[] modelJson, TimeProvider time, string deploymentName, string? apiKey,
        IBufferWriter<byte> output, out Usage usage)
    {
        usage = default;
        try
        {
            return TranslateDocument(json, modelJson, time, deploymentName, apiKey, output, ref usage);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return Malformed(deploymentName);
        }
    }

    private static GatewayError? TranslateDocument(
        ReadOnlyMemory<byte> json, byte[] modelJson, TimeProvider time, string deploymentName, string? apiKey,
        IBufferWriter<byte> output, ref Usage usage)
    {
        using (var doc = JsonDocument.Parse(json))
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return Malformed(deploymentName);
            if (root.TryGetProperty("error", out var error))
            {
                var reader = new Utf8JsonReader(JsonMarshal.GetRawUtf8Value(error));
                reader.Read();
                return GeminiErrorMapper.FromStream(ref reader, deploymentName, apiKey);
            }
            if (root.TryGetProperty("usageMetadata", out var usageMetadata))
            {
                var reader = new Utf8JsonReader(JsonMarshal.GetRawUtf8Value(usageMetadata));
                reader.Read();
                GeminiUsageReader.Read(ref reader, ref usage);
            }

            var responseId = root.TryGetProperty("responseId", out var id) && id.ValueKind == JsonValueKind.String
                ? Content(JsonMarshal.GetRawUtf8Value(id))
                : default;
            var seed = ToolCallIds.Seed(responseId);
            using var scratch = new PooledBufferWriter(4096);
            using var writer = new Utf8JsonWriter(output, JsonOptions.Writer);
            writer.WriteStartObject();
            if (responseId.IsEmpty)
                writer.WriteString("id", "chatcmpl-" + Guid.NewGuid().ToString("N"));
            else
                WriteRawString(writer, "id"u8, responseId, scratch);
            writer.WriteString("object", "chat.completion");
            writer.WriteNumber("created", time.GetUtcNow().ToUnixTimeSeconds());
            writer.WritePropertyName("model");
            writer.WriteRawValue(modelJson, skipInputValidation: true);
            writer.WriteStartArray("choices");
            var position = 0;
            if (root.TryGetProperty("candidates", out var candidates) && candidates.ValueKind == JsonValueKind.Array)
            {
                foreach (var candidate in candidates.EnumerateArray())
                {
                    if (candidate.ValueKind != JsonValueKind.Object)
                        return Malformed(deploymentName);
                    var index = candidate.TryGetProperty("index", out var i) && i.ValueKind == JsonValueKind.Number && i.TryGetInt32(out var n) ? n : position;
                    position++;
                    WriteChoice(writer, candidate, index, seed, scratch);
                }
            }
            if (position == 0)
            {
                var blocked = root.TryGetProperty("promptFeedback", out var feedback) && feedback.ValueKind == JsonValueKind.Object
                    && feedback.TryGetProperty("blockReason", out _);
                WriteEmptyChoice(writer, blocked ? FinishReason.ContentFilter : FinishReason.Stop);
            }
            writer.WriteEndArray();
            WriteUsage(writer, usage);
            writer.WriteEndObject();
        }
        return null;
    }

    private static GatewayError Malformed(string deploymentName) =>
        new(502, $"Deployment '{deploymentName}' returned a malformed response.", "api_error", "502");

    /// <summary>A string token's escaped content, quotes removed.</summary>
    private static ReadOnlySpan<byte> Content(ReadOnlySpan<byte> rawString) => rawString[1..^1];

    private static void WriteChoice(Utf8JsonWriter writer, JsonElement candidate, int index, ulong seed, PooledBufferWriter scratch)
    {
        var parts = candidate.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Object
            && content.TryGetProperty("parts", out var p) && p.ValueKind == JsonValueKind.Array ? p : default;
        var calls = 0;
        var hasText = false;
        var hasThought = false;
        if (parts.ValueKind == JsonValueKind.Array)
        {
            foreach (var part in parts.EnumerateArray())
            {
                if (part.ValueKind != JsonValueKind.Object)
                    continue;
                if (part.TryGetProperty("functionCall", out var call))
                {
                    if (call.ValueKind == JsonValueKind.Object)
                        calls++;
                }
                else if (part.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
                {
                    if (IsThought(part))
                        hasThought = true;
                    else
                        hasText = true;
                }
            }
        }

        writer.WriteStartObject();
        writer.WriteNumber("index", index);
        writer.WriteStartObject("message");
        writer.WriteString("role", "assistant");
        if (hasText)
            WriteJoinedText(writer, "content"u8, parts, thought: false, scratch);
        else if (calls > 0)
            writer.WriteNull("content");
        else
            writer.WriteString("content", "");
        if (hasThought)
            WriteJoinedText(writer, "reasoning_content"u8, parts, thought: true, scratch);
        if (calls > 0)
            WriteToolCalls(writer, parts, candidate: index, seed, scratch);
        writer.WriteEndObject();
        writer.WriteNull("logprobs");
        var finish = candidate.TryGetProperty("finishReason", out var f) && f.ValueKind == JsonValueKind.String
            ? GeminiWire.MapFinishReason(Content(JsonMarshal.GetRawUtf8Value(f)), calls > 0)
            : calls > 0 ? FinishReason.ToolCalls : FinishReason.Stop;
        writer.WriteString("finish_reason", FinishReasonText.OpenAi(finish));
        writer.WriteEndObject();
    }

    private static bool IsThought(JsonElement part) =>
        part.TryGetProperty("thought", out var thought) && thought.ValueKind == JsonValueKind.True;

    private static void WriteEmptyChoice(Utf8JsonWriter writer, FinishReason reason)
    {
        writer.WriteStartObject();
        writer.WriteNumber("index", 0);
        writer.WriteStartObject("message");
        writer.WriteString("role", "assistant");
        writer.WriteString("content", "");
        writer.WriteEndObject();
        writer.WriteNull("logprobs");
        writer.WriteString("finish_reason", FinishReasonText.OpenAi(reason));
        writer.WriteEndObject();
    }

    private static void WriteJoinedText(Utf8JsonWriter writer, ReadOnlySpan<byte> name, JsonElement parts, bool thought, PooledBufferWriter scratch)
    {
        scratch.Reset();
        scratch.Write("\""u8);
        foreach (var part in parts.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.Object && !part.TryGetProperty("functionCall", out _) && part.TryGetProperty("text", out var text)
                && text.ValueKind == JsonValueKind.String && IsThought(part) == thought)
                scratch.Write(Content(JsonMarshal.GetRawUtf8Value(text)));
        }
        scratch.Write("\""u8);
        writer.WritePropertyName(name);
        writer.WriteRawValue(scratch.WrittenSpan, skipInputValidation: true);
    }

    private static void WriteToolCalls(Utf8JsonWriter writer, JsonElement parts, int candidate, ulong seed, PooledBufferWriter scratch)
    {
        writer.WriteStartArray("tool_calls");
        var index = 0;
        foreach (var part in parts.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("functionCall", out var call) || call.ValueKind != JsonValueKind.Object)
                continue;
            writer.WriteStartObject();
            scratch.Reset();
            scratch.Write("\""u8);
            ToolCallIds.Write(scratch.GetSpan(ToolCallIds.Length), seed, candidate, index++);
            scratch.Advance(ToolCallIds.Length);
            if (part.TryGetProperty("thoughtSignature", out var signature) && signature.ValueKind == JsonValueKind.String)
            {
                scratch.Write(GeminiToolCallIds.SignatureSeparatorUtf8);
                scratch.Write(Content(JsonMarshal.GetRawUtf8Value(signature)));
            }
            scratch.Write("\""u8);
            writer.WritePropertyName("id");
            writer.WriteRawValue(scratch.WrittenSpan, skipInputValidation: true);
            writer.WriteString("type", "function");
            writer.WriteStartObject("function");
            if (call.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
            {
                writer.WritePropertyName("name");
                writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(name), skipInputValidation: true);
            }
            else
            {
                writer.WriteString("name", "");
            }
            var args = call.TryGetProperty("args", out var a) && a.ValueKind == JsonValueKind.Object ? JsonMarshal.GetRawUtf8Value(a) : "{}"u8;
            scratch.Reset();
            scratch.Write("\""u8);
            var written = JsonStringEscape.Escape(args, scratch.GetSpan(JsonStringEscape.MaxLength(args.Length) + 1));
            scratch.Advance(written);
            scratch.Write("\""u8);
            writer.WritePropertyName("arguments");
            writer.WriteRawValue(scratch.WrittenSpan, skipInputValidation: true);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    private static void WriteRawString(Utf8JsonWriter writer, ReadOnlySpan<byte> name, ReadOnlySpan<byte> content, PooledBufferWriter scratch)
    {
        scratch.Reset();
        scratch.Write("\""u8);
        scratch.Write(content);
        scratch.Write("\""u8);
        writer.WritePropertyName(name);
        writer.WriteRawValue(scratch.WrittenSpan, skipInputValidation: true);
    }

    private static void WriteUsage(Utf8JsonWriter writer, in Usage usage)
    {
        writer.WriteStartObject("usage");
        writer.WriteNumber("prompt_tokens", usage.PromptTokens);
        writer.WriteNumber("completion_tokens", usage.CompletionTokens);
        writer.WriteNumber("total_tokens", usage.TotalTokens);
        writer.WriteStartObject("prompt_tokens_details");
        writer.WriteNumber("cached_tokens", usage.CachedTokens);
        writer.WriteEndObject();
        writer.WriteStartObject("completion_tokens_details");
        writer.WriteNumber("reasoning_tokens", usage.ReasoningTokens);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
