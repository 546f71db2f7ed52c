using System.Text.Json;
using EdgeGw.Json;

namespace EdgeGw.Api;

/// <summary>A non-streamed OpenAI <c>chat.completion</c>, parsed to be written again in another client's format.</summary>
internal static class CompletionDocument
{
    /// <summary>The parsed document (the caller disposes it), or null when <paramref name="completion"/> is not a chat completion.</summary>
    public static JsonDocument? TryParse(ReadOnlySpan<byte> completion, out JsonElement root, out JsonElement choice, out JsonElement message)
    {
        root = choice = message = default;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(completion.ToArray());
        }
        catch (JsonException)
        {
            return null;
        }
        root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array)
        {
            document.Dispose();
            root = default;
            return null;
        }
        choice = choices.GetArrayLength() > 0 ? choices[0] : default;
        message = choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        return document;
    }

    public static Usage ReadUsage(JsonElement root)
    {
        var usage = default(Usage);
        if (!root.TryGetProperty("usage", out var u) || u.ValueKind != JsonValueKind.Object)
            return usage;
        usage.Present = true;
        usage.PromptTokens = TokenCount.Of(u, "prompt_tokens");
        usage.CompletionTokens = TokenCount.Of(u, "completion_tokens");
        if (u.TryGetProperty("prompt_tokens_details", out var p) && p.ValueKind == JsonValueKind.Object)
        {
            usage.CachedTokens = TokenCount.Of(p, "cached_tokens");
            usage.CacheCreationTokens = TokenCount.Of(p, "cache_write_tokens");
        }
        if (u.TryGetProperty("completion_tokens_details", out var c) && c.ValueKind == JsonValueKind.Object)
            usage.ReasoningTokens = TokenCount.Of(c, "reasoning_tokens");
        return usage;
    }
}
