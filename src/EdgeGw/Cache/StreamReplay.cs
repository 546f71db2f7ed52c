using System.Buffers;
using System.Text;
using EdgeGw.Api.Messages;
using EdgeGw.Buffers;
using EdgeGw.Providers.OpenAi;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using EdgeGw.Json;
using EdgeGw.Streaming;

namespace EdgeGw.Cache;

/// <summary>
/// A cached answer (from a stream or not, in either format) replayed as a stream through the client
/// format's own encoder, so a hit has the event order and shapes of a live stream: role, the whole
/// text in one delta (LiteLLM replays a cached answer as one chunk too), tool calls, finish, usage.
/// </summary>
internal static class StreamReplay
{
    /// <summary>The whole replayed stream for <paramref name="cache"/>'s client, or null when the entry is not a chat answer it can read.</summary>
    public static PooledBufferWriter? Render(CacheRequest cache, CacheEntry entry)
    {
        var modelJson = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry.ModelGroup, JsonContext.Default.String));
        var output = new PooledBufferWriter(entry.Body.Length * 2 + 1024);
        try
        {
            if (cache.Format == CacheFormat.ResponsesObject)
                Write(entry, new Api.Responses.ResponsesEventEncoder(cache.ResponsesHead!), output);
            else if (cache.Format == CacheFormat.TextCompletion)
                Write(entry, new Api.Completions.TextCompletionEncoder(modelJson, cache.WantsUsage, cache.Cache.Time), output);
            else if (cache.Format == CacheFormat.AnthropicMessage)
                Write(entry, new AnthropicEventEncoder(modelJson, entry.PromptTokens), output);
            else
                Write(entry, new OpenAiChunkEncoder(modelJson, cache.WantsUsage, cache.Cache.Time), output);
            return output;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            output.Dispose();
            return null;
        }
    }

    /// <summary>The headers a live stream has (see SseRelay).</summary>
    public static void SetHeaders(HttpResponse response)
    {
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
    }

    public static Usage Write<TEncoder>(CacheEntry entry, TEncoder encoder, IBufferWriter<byte> output)
        where TEncoder : IChatStreamEncoder
    {
        using var document = JsonDocument.Parse(entry.Body);
        var root = document.RootElement;
        encoder.Start(output, Content(root, "id"));
        var usage = entry.Format switch
        {
            CacheFormat.AnthropicMessage => FromAnthropic(root, encoder, output),
            CacheFormat.ResponsesObject => ResponsesReplay.Events(root, encoder, output),
            CacheFormat.TextCompletion => FromTextCompletion(root, encoder, output),
            _ => FromOpenAi(root, encoder, output),
        };
        encoder.Done(output, usage);
        return usage;
    }

    private static Usage FromOpenAi<TEncoder>(JsonElement root, TEncoder encoder, IBufferWriter<byte> output)
        where TEncoder : IChatStreamEncoder
    {
        var choice = 0;
        foreach (var item in root.GetProperty("choices").EnumerateArray())
        {
            var message = item.GetProperty("message");
            if (message.TryGetProperty("reasoning_content", out var reasoning) && reasoning.ValueKind == JsonValueKind.String)
                encoder.Reasoning(output, choice, Content(reasoning));
            if (message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
                encoder.Text(output, choice, Content(content));
            if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var call in calls.EnumerateArray())
                {
                    var function = call.GetProperty("function");
                    encoder.ToolCallStart(output, choice, index, Content(call, "id"), Content(function, "name"));
                    encoder.ToolArguments(output, choice, index, Content(function, "arguments"));
                    index++;
                }
            }
            encoder.Finish(output, choice, item.TryGetProperty("finish_reason", out var reason) ? OpenAiFinish(reason) : FinishReason.Stop);
            choice++;
        }
        return OpenAiUsage(root);
    }

    private static Usage OpenAiUsage(JsonElement root)
    {
        var usage = new Usage();
        if (root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object)
        {
            usage.Present = true;
            usage.PromptTokens = Number(u, "prompt_tokens");
            usage.CompletionTokens = Number(u, "completion_tokens");
            if (u.TryGetProperty("prompt_tokens_details", out var prompt) && prompt.ValueKind == JsonValueKind.Object)
                usage.CachedTokens = Number(prompt, "cached_tokens");
            if (u.TryGetProperty("completion_tokens_details", out var completion) && completion.ValueKind == JsonValueKind.Object)
                usage.ReasoningTokens = Number(completion, "reasoning_tokens");
        }
        return usage;
    }

    private static Usage FromTextCompletion<TEncoder>(JsonElement root, TEncoder encoder, IBufferWriter<byte> output)
        where TEncoder : IChatStreamEncoder
    {
        var choice = 0;
        foreach (var item in root.GetProperty("choices").EnumerateArray())
        {
            encoder.Text(output, choice, Content(item, "text"));
            encoder.Finish(output, choice, item.TryGetProperty("finish_reason", out var reason) ? OpenAiFinish(reason) : FinishReason.Stop);
            choice++;
        }
        return OpenAiUsage(root);
    }

    private static Usage FromAnthropic<TEncoder>(JsonElement root, TEncoder encoder, IBufferWriter<byte> output)
        where TEncoder : IChatStreamEncoder
    {
        var tool = 0;
        foreach (var block in root.GetProperty("content").EnumerateArray())
        {
            var type = block.GetProperty("type");
            if (type.ValueEquals("text"u8))
            {
                encoder.Text(output, 0, Content(block, "text"));
            }
            else if (type.ValueEquals("thinking"u8))
            {
                encoder.Reasoning(output, 0, Content(block, "thinking"));
                if (encoder is AnthropicEventEncoder anthropic)
                    anthropic.Signature(output, Content(block, "signature"));
            }
            else if (type.ValueEquals("tool_use"u8))
            {
                encoder.ToolCallStart(output, 0, tool, Content(block, "id"), Content(block, "name"));
                // Anthropic's input is an object; a stream carries it as an escaped JSON string.
                var input = block.TryGetProperty("input", out var i) ? JsonMarshal.GetRawUtf8Value(i) : "{}"u8;
                encoder.ToolArguments(output, 0, tool, JsonEncodedText.Encode(input, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes);
                tool++;
            }
        }
        encoder.Finish(output, 0, root.TryGetProperty("stop_reason", out var reason) ? AnthropicFinish(reason) : FinishReason.Stop);
        var usage = new Usage();
        if (root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object)
        {
            usage.Present = true;
            usage.CachedTokens = Number(u, "cache_read_input_tokens");
            usage.CacheCreationTokens = Number(u, "cache_creation_input_tokens");
            usage.PromptTokens = Number(u, "input_tokens") + usage.CachedTokens + usage.CacheCreationTokens;
            usage.CompletionTokens = Number(u, "output_tokens");
        }
        return usage;
    }

    private static FinishReason OpenAiFinish(JsonElement reason) =>
        reason.ValueEquals("length"u8) ? FinishReason.Length
        : reason.ValueEquals("tool_calls"u8) || reason.ValueEquals("function_call"u8) ? FinishReason.ToolCalls
        : reason.ValueEquals("content_filter"u8) ? FinishReason.ContentFilter
        : FinishReason.Stop;

    private static FinishReason AnthropicFinish(JsonElement reason) =>
        reason.ValueEquals("max_tokens"u8) ? FinishReason.Length
        : reason.ValueEquals("tool_use"u8) ? FinishReason.ToolCalls
        : reason.ValueEquals("refusal"u8) ? FinishReason.ContentFilter
        : FinishReason.Stop;

    internal static long Number(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;

    internal static ReadOnlySpan<byte> Content(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? Content(value) : default;

    /// <summary>A string's content still escaped, as the encoders take it (no decode, no re-encode).</summary>
    private static ReadOnlySpan<byte> Content(JsonElement value) => JsonMarshal.GetRawUtf8Value(value)[1..^1];
}
