using System.Text.Json;
using EdgeGw.Json;

namespace EdgeGw.Api;

/// <summary>An OpenAI <c>/v1/embeddings</c> request: what routing and translation need, as byte ranges into the body.</summary>
internal struct EmbeddingRequest
{
    public JsonRange Model;
    /// <summary>The <c>input</c> value: a string, an array of strings, or token arrays.</summary>
    public JsonRange Input;
    public bool Base64;
    public int? Dimensions;

    public static GatewayError? Parse(ReadOnlySpan<byte> body, out EmbeddingRequest request, Span<char> modelName, out int modelNameLength)
    {
        request = default;
        modelNameLength = 0;
        var reader = new Utf8JsonReader(body);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return GatewayError.BadRequest("Request body must be a JSON object.");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length > ChatRequestParser.MaxModelNameChars)
                        return GatewayError.BadRequest("'model' must be a string naming a configured model.", "model");
                    if (!JsonText.TryCopyString(ref reader, modelName, out modelNameLength))
                        return GatewayError.BadRequest($"'model' {JsonText.InvalidText}.", "model");
                    request.Model = new JsonRange((int)reader.TokenStartIndex, (int)reader.BytesConsumed - (int)reader.TokenStartIndex);
                }
                else if (reader.ValueTextEquals("input"u8))
                {
                    reader.Read();
                    var start = (int)reader.TokenStartIndex;
                    if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.StartArray))
                        return GatewayError.BadRequest("'input' must be a string or an array.", "input");
                    reader.Skip();
                    request.Input = new JsonRange(start, (int)reader.BytesConsumed - start);
                }
                else if (reader.ValueTextEquals("encoding_format"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && reader.ValueIsEscaped && !JsonText.TryGetString(ref reader, out _))
                        return GatewayError.BadRequest("'encoding_format' " + JsonText.InvalidText, "encoding_format");
                    // null is the default, as in LiteLLM (encoding_format=None); any other non-string is refused.
                    if (reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("base64"u8))
                        request.Base64 = true;
                    else if (reader.TokenType != JsonTokenType.Null && !(reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("float"u8)))
                        return GatewayError.BadRequest("'encoding_format' must be 'float' or 'base64'.", "encoding_format");
                }
                else if (reader.ValueTextEquals("dimensions"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var dimensions) || dimensions < 1)
                        return GatewayError.BadRequest("'dimensions' must be a positive integer.", "dimensions");
                    request.Dimensions = dimensions;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException e)
        {
            return GatewayError.BadRequest($"Malformed JSON in request body: {e.Message}");
        }
        if (request.Model.IsEmpty || modelNameLength == 0)
            return GatewayError.BadRequest("Missing required field 'model'.", "model");
        if (request.Input.IsEmpty)
            return GatewayError.BadRequest("Missing required field 'input'.", "input");
        return null;
    }
}
