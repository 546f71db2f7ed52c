using System.Runtime.InteropServices;
using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Buffers;
using EdgeGw.Json;
using EdgeGw.Streaming;

namespace EdgeGw.Providers.Ollama;

/// <summary>
/// A non-streamed Ollama answer (<c>/api/chat</c>'s <c>message</c> or <c>/api/generate</c>'s
/// <c>response</c>) → OpenAI <c>chat.completion</c>: content and <c>thinking</c>
/// (→ <c>reasoning_content</c>) copied as the upstream's escaped bytes, tool calls with their
/// argument objects escaped into strings and ids kept or made (<see cref="ToolCallIds"/>),
/// <c>done_reason</c> → <c>finish_reason</c>, usage from <c>prompt_eval_count</c> / <c>eval_count</c>.
/// </summary>
internal static class OllamaResponseTranslator
{
    public static GatewayError? Translate(ReadOnlyMemory<byte> json, byte[] modelJson, TimeProvider time, string deploymentName, string? apiKey,
        IBufferWriter<byte> output, out Usage usage)
    {
        usage = default;
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return Malformed(deploymentName);
            if (root.TryGetProperty("error", out var error))
            {
                var reader = new Utf8JsonReader(JsonMarshal.GetRawUtf8Value(error));
                reader.Read();
                return OllamaErrorMapper.FromStream(ref reader, deploymentName, apiKey);
            }
            usage = new Usage { Present = true, PromptTokens = Count(root, "prompt_eval_count"), CompletionTokens = Count(root, "eval_count") };
            var chat = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.Object;
            var message = chat ? m : root;
            var content = String(message, chat ? "content" : "response");
            var thinking = String(message, "thinking");
            var calls = message.TryGetProperty("tool_calls", out var c) && c.ValueKind == JsonValueKind.Array && c.GetArrayLength() > 0 ? c : default;
            var reason = root.TryGetProperty("done_reason", out var r) && r.ValueKind == JsonValueKind.String ? Content(JsonMarshal.GetRawUtf8Value(r)) : default;

            using var writer = new Utf8JsonWriter(output, JsonOptions.Writer);
            writer.WriteStartObject();
            writer.WriteString("id"u8, "chatcmpl-" + Guid.NewGuid().ToString("N"));
            writer.WriteString("object"u8, "chat.completion"u8);
            writer.WriteNumber("created"u8, time.GetUtcNow().ToUnixTimeSeconds());
            writer.WritePropertyName("model"u8);
            writer.WriteRawValue(modelJson, skipInputValidation: true);
            writer.WriteStartArray("choices"u8);
            writer.WriteStartObject();
            writer.WriteNumber("index"u8, 0);
            writer.WriteStartObject("message"u8);
            writer.WriteString("role"u8, "assistant"u8);
            writer.WritePropertyName("content"u8);
            if (content.ValueKind == JsonValueKind.String && (content.EscapedLength() > 0 || calls.ValueKind == JsonValueKind.Undefined))
                writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(content), skipInputValidation: true);
            else if (calls.ValueKind == JsonValueKind.Array)
                writer.WriteNullValue();
            else
                writer.WriteStringValue(""u8);
            if (thinking.ValueKind == JsonValueKind.String && thinking.EscapedLength() > 0)
            {
                writer.WritePropertyName("reasoning_content"u8);
                writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(thinking), skipInputValidation: true);
            }
            if (calls.ValueKind == JsonValueKind.Array && !WriteToolCalls(writer, calls, root))
                return Malformed(deploymentName);
            writer.WriteEndObject();
            writer.WriteNull("logprobs"u8);
            writer.WriteString("finish_reason"u8, FinishReasonText.OpenAi(OllamaWire.MapDoneReason(reason, calls.ValueKind == JsonValueKind.Array)));
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteStartObject("usage"u8);
            writer.WriteNumber("prompt_tokens"u8, usage.PromptTokens);
            writer.WriteNumber("completion_tokens"u8, usage.CompletionTokens);
            writer.WriteNumber("total_tokens"u8, usage.TotalTokens);
            writer.WriteEndObject();
            writer.WriteEndObject();
            return null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return Malformed(deploymentName);
        }
    }

    private static bool WriteToolCalls(Utf8JsonWriter writer, JsonElement calls, JsonElement root)
    {
        var seed = ToolCallIds.Seed(root.TryGetProperty("created_at", out var created) && created.ValueKind == JsonValueKind.String
            ? Content(JsonMarshal.GetRawUtf8Value(created)) : default);
        using var scratch = new PooledBufferWriter(1024);
        Span<byte> made = stackalloc byte[ToolCallIds.Length];
        writer.WriteStartArray("tool_calls"u8);
        var index = 0;
        foreach (var call in calls.EnumerateArray())
        {
            if (call.ValueKind != JsonValueKind.Object || !call.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object
                || !function.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
                return false;
            writer.WriteStartObject();
            writer.WritePropertyName("id"u8);
            if (call.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
            {
                writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(id), skipInputValidation: true);
            }
            else
            {
                ToolCallIds.Write(made, seed, 0, index);
                writer.WriteStringValue(made);
            }
            index++;
            writer.WriteString("type"u8, "function"u8);
            writer.WriteStartObject("function"u8);
            writer.WritePropertyName("name"u8);
            writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(name), skipInputValidation: true);
            var args = function.TryGetProperty("arguments", out var a) && a.ValueKind == JsonValueKind.Object ? JsonMarshal.GetRawUtf8Value(a) : "{}"u8;
            scratch.Reset();
            scratch.Write("\""u8);
            scratch.Advance(JsonStringEscape.Escape(args, scratch.GetSpan(JsonStringEscape.MaxLength(args.Length) + 1)));
            scratch.Write("\""u8);
            writer.WritePropertyName("arguments"u8);
            writer.WriteRawValue(scratch.WrittenSpan, skipInputValidation: true);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        return true;
    }

    private static JsonElement String(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value : default;

    private static long Count(JsonElement root, string name) => TokenCount.Of(root, name);

    /// <summary>A string token's escaped content, quotes removed.</summary>
    private static ReadOnlySpan<byte> Content(ReadOnlySpan<byte> rawString) => rawString[1..^1];

    private static GatewayError Malformed(string deploymentName) =>
        new(502, $"Deployment '{deploymentName}' returned a malformed response.", "api_error", "502");

    /// <summary>A string element's length in escaped bytes (its raw token less the quotes).</summary>
    private static int EscapedLength(this JsonElement value) => JsonMarshal.GetRawUtf8Value(value).Length - 2;
}
