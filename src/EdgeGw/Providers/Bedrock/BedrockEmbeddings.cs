using System.Text.Json;
using EdgeGw.Json;

namespace EdgeGw.Providers.Bedrock;

/// <summary>
/// OpenAI embeddings ⇄ Bedrock InvokeModel, as LiteLLM calls the two embedding families: Titan takes
/// one text a call (<c>{"inputText"}</c>, v2 also <c>dimensions</c>) and counts its tokens; Cohere takes
/// the list at once (<c>{"texts", "input_type": "search_document"}</c>) and counts none (estimated).
/// </summary>
internal static class BedrockEmbeddings
{
    public enum Family : byte { None, Titan, Cohere }

    public static Family Of(string baseModel) =>
        baseModel.StartsWith("amazon.titan-embed", StringComparison.Ordinal) ? Family.Titan
        : baseModel.StartsWith("cohere.embed", StringComparison.Ordinal) ? Family.Cohere
        : Family.None;

    public static byte[] TitanRequest(string text, int? dimensions)
    {
        using var buffer = new Buffers.PooledBufferWriter(text.Length + 64);
        using (var json = new Utf8JsonWriter(buffer, JsonOptions.Writer))
        {
            json.WriteStartObject();
            json.WriteString("inputText"u8, text);
            if (dimensions is { } d)
                json.WriteNumber("dimensions"u8, d);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] CohereRequest(IReadOnlyList<string> texts, string inputType)
    {
        using var buffer = new Buffers.PooledBufferWriter(texts.Sum(t => t.Length) + 64);
        using (var json = new Utf8JsonWriter(buffer, JsonOptions.Writer))
        {
            json.WriteStartObject();
            json.WriteStartArray("texts"u8);
            foreach (var text in texts)
                json.WriteStringValue(text);
            json.WriteEndArray();
            json.WriteString("input_type"u8, inputType);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Titan's <c>{"embedding":[…],"inputTextTokenCount":n}</c>.</summary>
    public static bool TryReadTitan(ReadOnlyMemory<byte> body, out float[] vector, out long tokens)
    {
        vector = [];
        tokens = 0;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            vector = [.. root.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle())];
            tokens = TokenCount.Of(root, "inputTextTokenCount");
            return true;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }

    /// <summary>Cohere's <c>{"embeddings":[[…],…]}</c> (the float response type).</summary>
    public static bool TryReadCohere(ReadOnlyMemory<byte> body, List<float[]> vectors)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            foreach (var embedding in document.RootElement.GetProperty("embeddings").EnumerateArray())
                vectors.Add([.. embedding.EnumerateArray().Select(v => v.GetSingle())]);
            return true;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }
}
