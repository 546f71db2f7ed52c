using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Buffers;
using EdgeGw.Json;

namespace EdgeGw.Providers.Gemini;

/// <summary>
/// OpenAI embeddings ⇄ Gemini: a single string goes to <c>:embedContent</c>, a list to
/// <c>:batchEmbedContents</c>; <c>dimensions</c> becomes <c>outputDimensionality</c>. Gemini reports no
/// token counts for embeddings, so usage is estimated at four bytes a token.
/// </summary>
internal static class GeminiEmbeddings
{
    public static GatewayError? WriteRequest(ReadOnlyMemory<byte> body, in EmbeddingRequest request, string modelPath, PooledBufferWriter output, out List<string> texts, out bool batch)
    {
        texts = [];
        if (JsonText.InvalidTextError(body.Span) is { } invalid)
        {
            batch = false;
            return invalid;
        }
        batch = false;
        using var document = JsonDocument.Parse(body);
        var input = document.RootElement.GetProperty("input");
        var found = EmbeddingListWriter.InputTexts(input);
        if (found is null || found.Count == 0)
            return GatewayError.BadRequest("Gemini embeddings take 'input' as a string or a non-empty array of strings (not token ids).", "input");
        texts = found;
        batch = input.ValueKind == JsonValueKind.Array;
        using var json = new Utf8JsonWriter(output, JsonOptions.Writer);
        if (!batch)
        {
            WriteContent(json, texts[0], null, request.Dimensions);
            return null;
        }
        json.WriteStartObject();
        json.WriteStartArray("requests"u8);
        foreach (var text in texts)
            WriteContent(json, text, "models/" + modelPath, request.Dimensions);
        json.WriteEndArray();
        json.WriteEndObject();
        return null;
    }

    private static void WriteContent(Utf8JsonWriter json, string text, string? model, int? dimensions)
    {
        json.WriteStartObject();
        if (model is not null)
            json.WriteString("model"u8, model);
        json.WriteStartObject("content"u8);
        json.WriteStartArray("parts"u8);
        json.WriteStartObject();
        json.WriteString("text"u8, text);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        if (dimensions is { } d)
            json.WriteNumber("outputDimensionality"u8, d);
        json.WriteEndObject();
    }

    /// <summary>Gemini's <c>{"embedding":{"values"}}</c> or <c>{"embeddings":[{"values"}]}</c> → OpenAI's list.</summary>
    public static bool TryWriteResponse(ReadOnlyMemory<byte> body, bool batch, bool base64, byte[] modelJson, long promptTokens, PooledBufferWriter output)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            using var json = new Utf8JsonWriter(output, JsonOptions.Writer);
            var list = new EmbeddingListWriter(json, base64);
            list.Start();
            if (batch)
            {
                foreach (var embedding in root.GetProperty("embeddings").EnumerateArray())
                    list.Add(Values(embedding));
            }
            else
            {
                list.Add(Values(root.GetProperty("embedding")));
            }
            list.End(modelJson, promptTokens);
            return true;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    private static float[] Values(JsonElement embedding) =>
        [.. embedding.GetProperty("values").EnumerateArray().Select(v => v.GetSingle())];
}
