using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Buffers;
using EdgeGw.Json;

namespace EdgeGw.Providers.Vertex;

/// <summary>
/// OpenAI embeddings ⇄ Vertex AI's text-embedding <c>:predict</c> (text-embedding-004/005,
/// text-multilingual-embedding-002, gemini-embedding-001): one <c>instances</c> entry per text,
/// <c>dimensions</c> → <c>parameters.outputDimensionality</c>, <c>input_type</c>/<c>task_type</c> →
/// each instance's <c>task_type</c> (LiteLLM's mapping). Usage is the answer's <c>statistics.token_count</c>.
/// </summary>
internal static class VertexEmbeddings
{
    public static GatewayError? WriteRequest(ReadOnlyMemory<byte> body, in EmbeddingRequest request, PooledBufferWriter output, out List<string> texts)
    {
        texts = [];
        if (JsonText.InvalidTextError(body.Span) is { } invalid)
            return invalid;
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        var found = EmbeddingListWriter.InputTexts(root.GetProperty("input"));
        if (found is null || found.Count == 0)
            return GatewayError.BadRequest("Vertex AI embeddings take 'input' as a string or a non-empty array of strings (not token ids).", "input");
        texts = found;
        var taskType = Text(root, "input_type") ?? Text(root, "task_type");
        var title = Text(root, "title");

        using var json = new Utf8JsonWriter(output, JsonOptions.Writer);
        json.WriteStartObject();
        json.WriteStartArray("instances"u8);
        foreach (var text in texts)
        {
            json.WriteStartObject();
            json.WriteString("content"u8, text);
            if (taskType is not null)
                json.WriteString("task_type"u8, taskType);
            if (title is not null)
                json.WriteString("title"u8, title);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartObject("parameters"u8);
        if (request.Dimensions is { } dimensions)
            json.WriteNumber("outputDimensionality"u8, dimensions);
        json.WriteEndObject();
        json.WriteEndObject();
        return null;
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>
    /// <c>{"predictions":[{"embeddings":{"values","statistics":{"token_count"}}}]}</c> → OpenAI's list;
    /// <paramref name="usage"/> (an estimate) is replaced by the counted tokens when Vertex reports them.
    /// </summary>
    public static bool TryWriteResponse(ReadOnlyMemory<byte> body, bool base64, byte[] modelJson, ref Usage usage, PooledBufferWriter output)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            using var json = new Utf8JsonWriter(output, JsonOptions.Writer);
            var list = new EmbeddingListWriter(json, base64);
            list.Start();
            long counted = 0;
            var allCounted = true;
            foreach (var prediction in document.RootElement.GetProperty("predictions").EnumerateArray())
            {
                var embeddings = prediction.GetProperty("embeddings");
                list.Add([.. embeddings.GetProperty("values").EnumerateArray().Select(v => v.GetSingle())]);
                if (embeddings.TryGetProperty("statistics", out var statistics) && statistics.TryGetProperty("token_count", out var tokens)
                    && tokens.ValueKind == JsonValueKind.Number)
                    counted += (long)tokens.GetDouble(); // a JSON number, written 6 or 6.0
                else
                    allCounted = false;
            }
            if (allCounted)
                usage = new Usage { Present = true, PromptTokens = counted };
            list.End(modelJson, usage.PromptTokens);
            return true;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }
}
