using System.Runtime.InteropServices;
using System.Text.Json;
using EdgeGw.Buffers;

namespace EdgeGw.Cache;

/// <summary>
/// Puts a per-input embeddings answer together: cached vectors and the provider's answer for the
/// missing inputs, in the request's order, <c>index</c> renumbered; the usage is the provider's (hits cost nothing).
/// </summary>
internal static class EmbeddingMerge
{
    private static readonly byte[] NoUsage = """{"prompt_tokens":0,"total_tokens":0}"""u8.ToArray();

    /// <summary>
    /// Fills the <c>null</c> slots of <paramref name="vectors"/> (each an <c>embedding</c> value's raw JSON)
    /// from the provider's list answer, by its <c>index</c> into <paramref name="missing"/>.
    /// </summary>
    /// <returns>The provider's <c>model</c> and <c>usage</c> raw JSON; false when the answer is not such a list (sent on as is).</returns>
    public static bool TryFill(ReadOnlyMemory<byte> answer, ReadOnlyMemory<byte>?[] vectors, int[] missing, out byte[] model, out byte[] usage)
    {
        model = usage = [];
        try
        {
            using var document = JsonDocument.Parse(answer);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array
                || data.GetArrayLength() != missing.Length)
                return false;
            var filled = 0;
            foreach (var item in data.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("index", out var index) || !index.TryGetInt32(out var i)
                    || i < 0 || i >= missing.Length || vectors[missing[i]] is not null || !item.TryGetProperty("embedding", out var embedding))
                    return false;
                vectors[missing[i]] = JsonMarshal.GetRawUtf8Value(embedding).ToArray();
                filled++;
            }
            model = root.TryGetProperty("model", out var m) ? JsonMarshal.GetRawUtf8Value(m).ToArray() : [];
            usage = root.TryGetProperty("usage", out var u) ? JsonMarshal.GetRawUtf8Value(u).ToArray() : NoUsage;
            return filled == missing.Length;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The answer when every input was cached: the group's name as the model, nothing billed.</summary>
    public static byte[] WriteHit(ReadOnlyMemory<byte>?[] vectors, string modelGroup) => Write(vectors, [], NoUsage, modelGroup);

    /// <summary>OpenAI's list of <paramref name="vectors"/> (all filled) with the provider's <c>model</c> and <c>usage</c> raw JSON.</summary>
    public static byte[] Write(ReadOnlyMemory<byte>?[] vectors, ReadOnlySpan<byte> model, byte[] usage, string? modelGroup = null)
    {
        using var buffer = new PooledBufferWriter(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("object"u8, "list"u8);
            json.WriteStartArray("data"u8);
            for (var i = 0; i < vectors.Length; i++)
            {
                json.WriteStartObject();
                json.WriteString("object"u8, "embedding"u8);
                json.WriteNumber("index"u8, i);
                json.WritePropertyName("embedding"u8);
                json.WriteRawValue(vectors[i]!.Value.Span, skipInputValidation: true);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WritePropertyName("model"u8);
            if (modelGroup is not null)
                json.WriteStringValue(modelGroup);
            else if (model.IsEmpty)
                json.WriteNullValue();
            else
                json.WriteRawValue(model, skipInputValidation: true);
            json.WritePropertyName("usage"u8);
            json.WriteRawValue(usage, skipInputValidation: true);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
