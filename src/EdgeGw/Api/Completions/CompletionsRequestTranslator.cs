using System.Text.Json;

namespace EdgeGw.Api.Completions;

/// <summary>
/// A legacy <c>/v1/completions</c> body → the canonical chat request, for models that only chat:
/// the prompt becomes one user message, every other field is copied as it came (temperature,
/// max_tokens, n, stop, stream, user, LiteLLM's own keys…). The fields only a real completions
/// endpoint can honour (<c>suffix</c>, <c>echo</c>, <c>logprobs</c>, <c>best_of</c> above 1,
/// several prompts, token-array prompts) are refused with a 400 naming them rather than dropped.
/// </summary>
internal static class CompletionsRequestTranslator
{
    public static GatewayError? Translate(ReadOnlySpan<byte> body, IBufferWriter<byte> chat)
    {
        var reader = new Utf8JsonReader(body);
        List<string>? unsupported = null;
        var prompt = default((int Start, int Length));
        var first = true;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return GatewayError.BadRequest("The request body must be a JSON object.");
            chat.Write("{"u8);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var nameStart = (int)reader.TokenStartIndex;
                var name = reader;
                reader.Read();
                if (name.ValueTextEquals("prompt"u8))
                {
                    if (PromptText(ref reader, out prompt) is { } bad)
                        return bad;
                    continue;
                }
                if (name.ValueTextEquals("suffix"u8) && !IsEmpty(reader, (int)reader.TokenStartIndex, body))
                    (unsupported ??= []).Add("suffix");
                else if (name.ValueTextEquals("echo"u8) && reader.TokenType == JsonTokenType.True)
                    (unsupported ??= []).Add("echo");
                else if (name.ValueTextEquals("logprobs"u8) && reader.TokenType != JsonTokenType.Null)
                    (unsupported ??= []).Add("logprobs");
                else if (name.ValueTextEquals("best_of"u8) && !(reader.TokenType == JsonTokenType.Null || reader.TokenType == JsonTokenType.Number && reader.GetDouble() == 1))
                    (unsupported ??= []).Add("best_of");
                else if (!name.ValueTextEquals("suffix"u8) && !name.ValueTextEquals("echo"u8) && !name.ValueTextEquals("logprobs"u8)
                    && !name.ValueTextEquals("best_of"u8) && !name.ValueTextEquals("messages"u8))
                {
                    reader.Skip();
                    if (!first)
                        chat.Write(","u8);
                    first = false;
                    chat.Write(body[nameStart..(int)reader.BytesConsumed]);
                    continue;
                }
                reader.Skip();
            }
        }
        catch (JsonException)
        {
            return GatewayError.BadRequest("The request body is not valid JSON.");
        }
        if (unsupported is not null)
            return GatewayError.BadRequest(
                $"{string.Join(", ", unsupported.Select(u => "'" + u + "'"))} cannot be honoured on this model: it only chats, so /v1/completions is answered through chat completions (only OpenAI-format deployments serving /completions take them).",
                unsupported[0]);
        if (prompt.Length == 0)
            return GatewayError.BadRequest("Missing required field 'prompt'.", "prompt");
        if (!first)
            chat.Write(","u8);
        chat.Write("\"messages\":[{\"role\":\"user\",\"content\":"u8);
        chat.Write(body.Slice(prompt.Start, prompt.Length));
        chat.Write("}]}"u8);
        return null;
    }

    /// <summary>The prompt as one JSON string: a string, or a list holding exactly one string.</summary>
    private static GatewayError? PromptText(ref Utf8JsonReader reader, out (int Start, int Length) prompt)
    {
        prompt = default;
        if (reader.TokenType == JsonTokenType.String)
        {
            prompt = ((int)reader.TokenStartIndex, (int)(reader.BytesConsumed - reader.TokenStartIndex));
            return null;
        }
        if (reader.TokenType != JsonTokenType.StartArray)
            return GatewayError.BadRequest("'prompt' must be a string or a list of strings.", "prompt");
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            count++;
            if (reader.TokenType != JsonTokenType.String)
            {
                reader.Skip();
                return GatewayError.BadRequest("'prompt' as token ids can only go to an OpenAI-format deployment serving /completions; send the prompt as text.", "prompt");
            }
            prompt = ((int)reader.TokenStartIndex, (int)(reader.BytesConsumed - reader.TokenStartIndex));
        }
        return count switch
        {
            0 => GatewayError.BadRequest("'prompt' must not be an empty list.", "prompt"),
            1 => null,
            _ => GatewayError.BadRequest("A list of several prompts can only go to an OpenAI-format deployment serving /completions; send one prompt per request.", "prompt"),
        };
    }

    private static bool IsEmpty(in Utf8JsonReader reader, int start, ReadOnlySpan<byte> body) =>
        reader.TokenType == JsonTokenType.Null || reader.TokenType == JsonTokenType.String && reader.BytesConsumed - start == 2 && body[start] == (byte)'"';
}
