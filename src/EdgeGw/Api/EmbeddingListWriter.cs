using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Text.Json;
using EdgeGw.Json;

namespace EdgeGw.Api;

/// <summary>
/// Writes OpenAI's embeddings list, <c>{"object":"list","data":[{"object":"embedding","index","embedding"}],"model","usage"}</c>,
/// for providers whose own shape differs. <c>encoding_format: base64</c> (the OpenAI Node SDK's
/// default) is the vector's little-endian float32 bytes in base64, as OpenAI sends it.
/// </summary>
internal sealed class EmbeddingListWriter(Utf8JsonWriter json, bool base64)
{
    private int _index;

    public void Start()
    {
        json.WriteStartObject();
        json.WriteString("object"u8, "list"u8);
        json.WriteStartArray("data"u8);
    }

    public void Add(ReadOnlySpan<float> vector)
    {
        json.WriteStartObject();
        json.WriteString("object"u8, "embedding"u8);
        json.WriteNumber("index"u8, _index++);
        if (base64)
        {
            var bytes = MemoryMarshal.AsBytes(vector);
            if (!BitConverter.IsLittleEndian)
                throw new PlatformNotSupportedException("base64 embeddings are little-endian float32");
            var encoded = new byte[Base64.GetMaxEncodedToUtf8Length(bytes.Length)];
            Base64.EncodeToUtf8(bytes, encoded, out _, out var written);
            json.WriteString("embedding"u8, encoded.AsSpan(0, written));
        }
        else
        {
            json.WriteStartArray("embedding"u8);
            foreach (var value in vector)
                json.WriteNumberValue(value);
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }

    public void End(byte[] modelJson, long promptTokens)
    {
        json.WriteEndArray();
        json.WritePropertyName("model"u8);
        json.WriteRawValue(modelJson, skipInputValidation: true);
        json.WriteStartObject("usage"u8);
        json.WriteNumber("prompt_tokens"u8, promptTokens);
        json.WriteNumber("total_tokens"u8, promptTokens);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>The texts of an OpenAI <c>input</c>: a string or an array of strings (token arrays are not text).</summary>
    public static List<string>? InputTexts(JsonElement input) => input.ValueKind switch
    {
        JsonValueKind.String => [input.GetString()!],
        JsonValueKind.Array when input.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) =>
            [.. input.EnumerateArray().Select(e => e.GetString()!)],
        _ => null,
    };

    /// <summary>Bills <paramref name="usage"/> and answers the client with the finished list.</summary>
    public static async ValueTask<Providers.ProviderResult> WriteAsync(Providers.EmbeddingCall call, ReadOnlyMemory<byte> list, Usage usage)
    {
        call.Accounting?.ReportUsage(usage);
        var response = call.Http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = list.Length;
        await response.Body.WriteAsync(list, call.Http.RequestAborted);
        return new Providers.ProviderResult(null, true, usage);
    }

    public static Usage EstimatedUsage(IEnumerable<string> texts) => EstimatedUsage(texts.Sum(t => (long)System.Text.Encoding.UTF8.GetByteCount(t)));

    /// <summary>Four bytes of input text a token.</summary>
    public static Usage EstimatedUsage(long bytes) => new() { Present = true, PromptTokens = (bytes + 3) / 4 };
}
