using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Buffers;
using EdgeGw.Json;

namespace EdgeGw.Providers.Ollama;

/// <summary>
/// OpenAI embeddings ⇄ Ollama's <c>/api/embed</c>: <c>{"model","input":[…],"dimensions"?}</c> out,
/// <c>{"embeddings":[[…]],"prompt_eval_count"}</c> back, as LiteLLM sends and reads it. Usage is
/// <c>prompt_eval_count</c>, estimated at four bytes a token when Ollama leaves it out.
/// </summary>
internal static class OllamaEmbeddings
{
    public static GatewayError? WriteRequest(ReadOnlyMemory<byte> body, in EmbeddingRequest request, string modelId, PooledBufferWriter output, out List<string> texts)
    {
        texts = [];
        if (JsonText.InvalidTextError(body.Span) is { } invalid)
            return invalid;
        using var document = JsonDocument.Parse(body);
        var found = EmbeddingListWriter.InputTexts(document.RootElement.GetProperty("input"));
        if (found is null || found.Count == 0)
            return GatewayError.BadRequest("Ollama embeddings take 'input' as a string or a non-empty array of strings (not token ids).", "input");
        texts = found;
        using var json = new Utf8JsonWriter(output, JsonOptions.Writer);
        json.WriteStartObject();
        json.WriteString("model"u8, modelId);
        json.WriteStartArray("input"u8);
        foreach (var text in texts)
            json.WriteStringValue(text);
        json.WriteEndArray();
        if (request.Dimensions is { } dimensions)
            json.WriteNumber("dimensions"u8, dimensions);
        json.WriteEndObject();
        return null;
    }

    public static bool TryWriteResponse(ReadOnlyMemory<byte> body, bool base64, byte[] modelJson, List<string> texts, PooledBufferWriter output, out Usage usage)
    {
        usage = default;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            usage = root.TryGetProperty("prompt_eval_count", out var count) && count.ValueKind == JsonValueKind.Number
                ? new Usage { Present = true, PromptTokens = TokenCount.Of(root, "prompt_eval_count") }
                : EmbeddingListWriter.EstimatedUsage(texts);
            using var json = new Utf8JsonWriter(output, JsonOptions.Writer);
            var list = new EmbeddingListWriter(json, base64);
            list.Start();
            foreach (var embedding in root.GetProperty("embeddings").EnumerateArray())
                list.Add([.. embedding.EnumerateArray().Select(v => v.GetSingle())]);
            list.End(modelJson, usage.PromptTokens);
            return true;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }
}
