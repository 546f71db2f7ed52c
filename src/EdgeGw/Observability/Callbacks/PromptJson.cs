using System.Text.Json;
using EdgeGw.Json;

namespace EdgeGw.Observability.Callbacks;

/// <summary>
/// Copies the prompt out of a request body as raw JSON. Only the prompt: whatever else the client
/// put in the body (an <c>api_key</c>, <c>aws_secret_access_key</c>, <c>metadata</c>) is never part of it.
/// </summary>
internal static class PromptJson
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 256 };

    /// <summary>The prompt's JSON (within <see cref="BoundedJson.MaxBytes"/>), or null when the body has none (or is not JSON: the request was refused before this).</summary>
    public static byte[]? Copy(ReadOnlySpan<byte> body, PromptKind kind)
    {
        JsonRange prompt = default, system = default;
        try
        {
            var reader = new Utf8JsonReader(body, Options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isPrompt = reader.ValueTextEquals(kind switch
                {
                    PromptKind.EmbeddingInput or PromptKind.ResponsesInput => "input"u8,
                    PromptKind.CompletionPrompt => "prompt"u8,
                    _ => "messages"u8,
                });
                var isSystem = kind == PromptKind.AnthropicMessages && reader.ValueTextEquals("system"u8);
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                var range = new JsonRange(start, (int)reader.BytesConsumed - start);
                if (isPrompt)
                    prompt = range;
                else if (isSystem)
                    system = range;
            }
        }
        catch (JsonException)
        {
            return null;
        }
        if (prompt.IsEmpty)
            return null;
        var messages = body.Slice(prompt.Start, prompt.Length);
        if (system.IsEmpty)
            return BoundedJson.Of(messages);
        var joined = WithSystem(messages, body.Slice(system.Start, system.Length));
        return joined.Length <= BoundedJson.MaxBytes ? joined : BoundedJson.Of(joined);
    }

    /// <summary>Anthropic's top-level <c>system</c> as the first message, the way an OpenAI-format log shows it.</summary>
    private static byte[] WithSystem(ReadOnlySpan<byte> messages, ReadOnlySpan<byte> system)
    {
        ReadOnlySpan<byte> head = "[{\"role\":\"system\",\"content\":"u8;
        var inner = messages.Length > 1 && messages[0] == (byte)'[' ? messages[1..^1].Trim(" \t\r\n"u8) : default;
        var bytes = new byte[head.Length + system.Length + 1 + (inner.IsEmpty ? 0 : inner.Length + 1) + 1];
        var at = 0;
        head.CopyTo(bytes);
        at += head.Length;
        system.CopyTo(bytes.AsSpan(at));
        at += system.Length;
        bytes[at++] = (byte)'}';
        if (!inner.IsEmpty)
        {
            bytes[at++] = (byte)',';
            inner.CopyTo(bytes.AsSpan(at));
            at += inner.Length;
        }
        bytes[at] = (byte)']';
        return bytes;
    }
}
