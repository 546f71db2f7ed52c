using System.Text.Json;

namespace EdgeGw.Json;

/// <summary>
/// The generated text in a stream chunk passed through as it came (OpenAI <c>delta.content</c>,
/// <c>reasoning_content</c>, tool <c>arguments</c>; Anthropic <c>text</c>, <c>thinking</c>,
/// <c>partial_json</c>), counted in escaped bytes: what a stream the client abandoned is billed
/// from when the upstream's own usage never comes (<see cref="EstimateTokens"/>).
/// </summary>
internal static class GeneratedText
{
    /// <summary>Skips the value the reader is at (as <c>Utf8JsonReader.Skip</c>), returning the bytes of generated text inside it.</summary>
    public static long Skip(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
            return 0;
        var depth = reader.CurrentDepth;
        long bytes = 0;
        var generated = false;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            if (reader.TokenType == JsonTokenType.PropertyName)
                generated = IsGenerated(ref reader);
            else if (reader.TokenType == JsonTokenType.String && generated)
                bytes += reader.ValueSpan.Length;
        }
        return bytes;
    }

    /// <summary>About 4 bytes of text a token, as the prompt estimate counts (<see cref="Api.ChatRequest.EstimatedPromptTokens"/>).</summary>
    public static long EstimateTokens(long bytes) => (bytes + 3) / 4;

    private static bool IsGenerated(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("content"u8) || reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("arguments"u8)
        || reader.ValueTextEquals("reasoning_content"u8) || reader.ValueTextEquals("thinking"u8) || reader.ValueTextEquals("partial_json"u8)
        || reader.ValueTextEquals("refusal"u8) || reader.ValueTextEquals("reasoning"u8);
}
