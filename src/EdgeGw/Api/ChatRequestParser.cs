using System.Text.Json;
using EdgeGw.Json;

namespace EdgeGw.Api;

/// <summary>
/// Validates an OpenAI chat request in one pass over its bytes and records where the fields the
/// gateway rewrites sit. The whole document is read, so malformed JSON anywhere is a 400.
/// </summary>
internal static class ChatRequestParser
{
    public const int MaxModelNameChars = 256;

    /// <summary>Parses <paramref name="body"/>; the model name is copied into <paramref name="modelName"/>.</summary>
    /// <param name="requiresMessages">False for a Responses API body, which has <c>input</c> instead.</param>
    public static GatewayError? Parse(ReadOnlySpan<byte> body, out ChatRequest request, Span<char> modelName, out int modelNameLength, bool requiresMessages = true)
    {
        request = default;
        modelNameLength = 0;
        var hasMessages = false;
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 256 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return GatewayError.BadRequest("Request body must be a JSON object.");
            request.RootBodyStart = (int)reader.BytesConsumed;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                        return GatewayError.BadRequest("'model' must be a string naming a configured model.", "model");
                    if (reader.ValueSpan.Length > MaxModelNameChars * 3 || Utf8Length(ref reader) > MaxModelNameChars)
                        return GatewayError.BadRequest($"'model' is longer than {MaxModelNameChars} characters.", "model");
                    if (!JsonText.TryCopyString(ref reader, modelName, out modelNameLength))
                        return GatewayError.BadRequest($"'model' {JsonText.InvalidText}.", "model");
                    request.Model = TokenRange(ref reader);
                }
                else if (reader.ValueTextEquals("messages"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartArray)
                        return GatewayError.BadRequest("'messages' must be an array of message objects.", "messages");
                    var start = (int)reader.TokenStartIndex;
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.EndArray)
                        return GatewayError.BadRequest("'messages' must contain at least one message.", "messages");
                    if (reader.TokenType != JsonTokenType.StartObject)
                        return GatewayError.BadRequest("'messages' must be an array of message objects.", "messages");
                    reader.Skip();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType != JsonTokenType.StartObject)
                            return GatewayError.BadRequest("'messages' must be an array of message objects.", "messages");
                        reader.Skip();
                    }
                    request.Messages = new JsonRange(start, (int)reader.BytesConsumed - start);
                    hasMessages = true;
                }
                else if (reader.ValueTextEquals("stream"u8))
                {
                    reader.Read();
                    request.Stream = reader.TokenType switch
                    {
                        JsonTokenType.True => true,
                        JsonTokenType.False or JsonTokenType.Null => false,
                        _ => throw new FieldException("stream", "'stream' must be true or false."),
                    };
                }
                else if (reader.ValueTextEquals("max_tokens"u8) || reader.ValueTextEquals("max_completion_tokens"u8) || reader.ValueTextEquals("max_output_tokens"u8))
                {
                    // Read for the reservation only: a value the provider would refuse is left for it to refuse.
                    reader.Read();
                    request.MaxOutputTokens = Math.Max(request.MaxOutputTokens, TokenCount.Of(ref reader));
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("n"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var n) && n > 0)
                        request.Choices = n;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("reasoning_effort"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && !reader.ValueTextEquals("none"u8))
                        request.ThinkingTokens = Math.Max(request.ThinkingTokens, Providers.Anthropic.AnthropicWire.MaxEffortBudget);
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("thinking"u8))
                {
                    reader.Read();
                    request.ThinkingTokens = Math.Max(request.ThinkingTokens, ThinkingBudget(ref reader));
                }
                else if (reader.ValueTextEquals("stream_options"u8))
                {
                    reader.Read();
                    ParseStreamOptions(ref reader, ref request);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            if (reader.Read())
                return GatewayError.BadRequest("Request body has data after the JSON object.");
        }
        catch (JsonException e)
        {
            return GatewayError.BadRequest($"Malformed JSON in request body: {e.Message}");
        }
        catch (FieldException e)
        {
            return GatewayError.BadRequest(e.Message, e.Field);
        }

        if (request.Model.IsEmpty)
            return GatewayError.BadRequest("Missing required field 'model'.", "model");
        if (modelNameLength == 0)
            return GatewayError.BadRequest("'model' must not be empty.", "model");
        if (!hasMessages && requiresMessages)
            return GatewayError.BadRequest("Missing required field 'messages'.", "messages");
        return null;
    }

    private static void ParseStreamOptions(ref Utf8JsonReader reader, ref ChatRequest request)
    {
        var start = (int)reader.TokenStartIndex;
        if (reader.TokenType == JsonTokenType.Null)
        {
            request.StreamOptions = new JsonRange(start, 4);
            return;
        }
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new FieldException("stream_options", "'stream_options' must be an object.");
        request.StreamOptionsIsEmpty = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            request.StreamOptionsIsEmpty = false;
            var isIncludeUsage = reader.ValueTextEquals("include_usage"u8);
            reader.Read();
            if (isIncludeUsage)
            {
                request.ClientWantsUsage = reader.TokenType == JsonTokenType.True;
                request.IncludeUsageValue = TokenRange(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }
        request.StreamOptions = new JsonRange(start, (int)reader.BytesConsumed - start);
    }

    /// <summary><c>budget_tokens</c> of a <c>thinking</c> object (the reader on its value, left at its end); 0 otherwise.</summary>
    private static long ThinkingBudget(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return 0;
        }
        long budget = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isBudget = reader.ValueTextEquals("budget_tokens"u8);
            reader.Read();
            if (isBudget)
                budget = TokenCount.Of(ref reader);
            reader.Skip();
        }
        return budget;
    }

    private static JsonRange TokenRange(ref Utf8JsonReader reader) =>
        new((int)reader.TokenStartIndex, (int)reader.BytesConsumed - (int)reader.TokenStartIndex);

    private static int Utf8Length(ref Utf8JsonReader reader) =>
        reader.ValueIsEscaped ? reader.ValueSpan.Length : System.Text.Encoding.UTF8.GetCharCount(reader.ValueSpan);

    /// <summary>A field of the wrong type, found while deep inside the reader's loop.</summary>
    private sealed class FieldException(string field, string message) : Exception(message)
    {
        public string Field { get; } = field;
    }
}
