using System.Text;
using System.Text.Json;
using EdgeGw.Json;
using EdgeGw.Streaming;

namespace EdgeGw.Providers.Anthropic;

/// <summary>
/// Anthropic <c>Message</c> → OpenAI <c>chat.completion</c>: text blocks joined into
/// <c>content</c> (null when there are only tool calls), <c>tool_use</c> blocks as
/// <c>tool_calls</c> with the input object as the arguments string, thinking as
/// <c>reasoning_content</c> (and LiteLLM's <c>thinking_blocks</c>, to send back in later turns).
/// </summary>
internal static class AnthropicResponseTranslator
{
    /// <summary>Writes the completion; false when <paramref name="body"/> is not an Anthropic message.</summary>
    public static bool TryTranslate(ReadOnlyMemory<byte> body, byte[] modelJson, bool jsonMode, long created, IBufferWriter<byte> output, out Usage usage)
    {
        usage = default;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return false;
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array)
                return false;

            var anthropicUsage = root.TryGetProperty("usage", out var u) ? AnthropicUsage.From(u) : default;
            usage = anthropicUsage.ToOpenAi();

            StringBuilder? text = null, reasoning = null;
            var toolCalls = 0;
            foreach (var block in content.EnumerateArray())
            {
                var type = block.TryGetProperty("type", out var t) ? t : default;
                if (type.ValueEquals("text") && block.TryGetProperty("text", out var s))
                    (text ??= new StringBuilder()).Append(s.GetString());
                else if (type.ValueEquals("thinking") && block.TryGetProperty("thinking", out var th))
                    (reasoning ??= new StringBuilder()).Append(th.GetString());
                else if (type.ValueEquals("tool_use"))
                {
                    if (jsonMode && IsJsonTool(block))
                        (text ??= new StringBuilder()).Append(block.TryGetProperty("input", out var input) ? input.GetRawText() : "{}");
                    else
                        toolCalls++;
                }
            }

            var finish = root.TryGetProperty("stop_reason", out var stop) && stop.ValueKind == JsonValueKind.String
                ? AnthropicStopReason.ToFinishReason(Encoding.UTF8.GetBytes(stop.GetString()!), jsonMode && toolCalls == 0)
                : FinishReason.Stop;

            using var lease = ThreadJsonWriter.Rent(output, out var json);
            json.WriteStartObject();
            json.WriteString("id"u8, root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : "chatcmpl-" + Guid.NewGuid().ToString("N"));
            json.WriteString("object"u8, "chat.completion"u8);
            json.WriteNumber("created"u8, created);
            json.WritePropertyName("model"u8);
            json.WriteRawValue(modelJson, skipInputValidation: true);
            json.WriteStartArray("choices"u8);
            json.WriteStartObject();
            json.WriteNumber("index"u8, 0);
            json.WriteStartObject("message"u8);
            json.WriteString("role"u8, "assistant"u8);
            if (text is null)
                json.WriteNull("content"u8);
            else
                json.WriteString("content"u8, text.ToString());
            if (reasoning is not null)
            {
                json.WriteString("reasoning_content"u8, reasoning.ToString());
                WriteThinkingBlocks(json, content);
            }
            if (toolCalls > 0)
                WriteToolCalls(json, content, jsonMode);
            json.WriteEndObject();
            json.WriteNull("logprobs"u8);
            json.WriteString("finish_reason"u8, AnthropicStopReason.ToOpenAi(finish));
            json.WriteEndObject();
            json.WriteEndArray();
            WriteUsage(json, anthropicUsage);
            json.WriteEndObject();
            json.Flush();
            return true;
        }
    }

    private static bool IsJsonTool(JsonElement block) =>
        block.TryGetProperty("name", out var name) && name.ValueEquals(AnthropicWire.JsonToolName);

    private static void WriteThinkingBlocks(Utf8JsonWriter json, JsonElement content)
    {
        json.WriteStartArray("thinking_blocks"u8);
        foreach (var block in content.EnumerateArray())
        {
            if (block.TryGetProperty("type", out var t) && (t.ValueEquals("thinking") || t.ValueEquals("redacted_thinking")))
                block.WriteTo(json);
        }
        json.WriteEndArray();
    }

    private static void WriteToolCalls(Utf8JsonWriter json, JsonElement content, bool jsonMode)
    {
        json.WriteStartArray("tool_calls"u8);
        foreach (var block in content.EnumerateArray())
        {
            if (!block.TryGetProperty("type", out var t) || !t.ValueEquals("tool_use") || (jsonMode && IsJsonTool(block)))
                continue;
            json.WriteStartObject();
            json.WriteString("id"u8, block.TryGetProperty("id", out var id) ? id.GetString() : "");
            json.WriteString("type"u8, "function"u8);
            json.WriteStartObject("function"u8);
            json.WriteString("name"u8, block.TryGetProperty("name", out var name) ? name.GetString() : "");
            json.WriteString("arguments"u8, block.TryGetProperty("input", out var input) ? input.GetRawText() : "{}");
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WriteUsage(Utf8JsonWriter json, in AnthropicUsage anthropic)
    {
        var usage = anthropic.ToOpenAi();
        json.WriteStartObject("usage"u8);
        json.WriteNumber("prompt_tokens"u8, usage.PromptTokens);
        json.WriteNumber("completion_tokens"u8, usage.CompletionTokens);
        json.WriteNumber("total_tokens"u8, usage.TotalTokens);
        json.WriteStartObject("prompt_tokens_details"u8);
        json.WriteNumber("cached_tokens"u8, usage.CachedTokens);
        json.WriteEndObject();
        json.WriteStartObject("completion_tokens_details"u8);
        json.WriteNumber("reasoning_tokens"u8, usage.ReasoningTokens);
        json.WriteEndObject();
        // LiteLLM's extra fields, so cache writes (billed higher) stay visible to the client.
        json.WriteNumber("cache_creation_input_tokens"u8, anthropic.CacheCreation);
        json.WriteNumber("cache_read_input_tokens"u8, anthropic.CacheRead);
        json.WriteEndObject();
    }
}
