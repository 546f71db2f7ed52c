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
    /// <summary>
    /// The <c>/api/embed</c> body, <c>input</c> copied as the client escaped it (a large input is never
    /// decoded); <paramref name="inputBytes"/> is its text's length, for the estimate (escapes counted as sent).
    /// </summary>
    public static GatewayError? WriteRequest(ReadOnlyMemory<byte> body, in EmbeddingRequest request, string modelId, PooledBufferWriter output, out long inputBytes)
    {
        inputBytes = 0;
        if (JsonText.InvalidTextError(body.Span) is { } invalid)
            return invalid;
        var input = new RawJson(body.Slice(request.Input.Start, request.Input.Length));
        var count = 0;
        if (input.ValueKind == JsonValueKind.String)
        {
            inputBytes = input.Raw.Length - 2;
            count = 1;
        }
        else if (input.ValueKind == JsonValueKind.Array)
        {
            foreach (var text in input.EnumerateArray())
            {
                if (text.ValueKind != JsonValueKind.String)
                    return NotTexts();
                inputBytes += text.Raw.Length - 2;
                count++;
            }
        }
        if (count == 0)
            return NotTexts();
        using var json = new Utf8JsonWriter(output, JsonOptions.Writer);
        json.WriteStartObject();
        json.WriteString("model"u8, modelId);
        json.WriteStartArray("input"u8);
        if (input.ValueKind == JsonValueKind.String)
            input.WriteTo(json);
        else
            foreach (var text in input.EnumerateArray())
                text.WriteTo(json);
        json.WriteEndArray();
        if (request.Dimensions is { } dimensions)
            json.WriteNumber("dimensions"u8, dimensions);
        json.WriteEndObject();
        return null;
    }

    private static GatewayError NotTexts() =>
        GatewayError.BadRequest("Ollama embeddings take 'input' as a string or a non-empty array of strings (not token ids).", "input");

    public static bool TryWriteResponse(ReadOnlyMemory<byte> body, bool base64, byte[] modelJson, long inputBytes, PooledBufferWriter output, out Usage usage)
    {
        usage = default;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            usage = root.TryGetProperty("prompt_eval_count", out var count) && count.ValueKind == JsonValueKind.Number
                ? new Usage { Present = true, PromptTokens = TokenCount.Of(root, "prompt_eval_count") }
                : EmbeddingListWriter.EstimatedUsage(inputBytes);
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
