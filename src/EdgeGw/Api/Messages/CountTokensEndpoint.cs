using System.Text.Json;

namespace EdgeGw.Api.Messages;

/// <summary>
/// <c>POST /v1/messages/count_tokens</c>. EdgeGw has no tokenizer for every provider, so it answers
/// with a documented estimate — one token per four bytes of the request's <c>system</c>,
/// <c>messages</c> and <c>tools</c> JSON — in Anthropic's shape, <c>{"input_tokens": N}</c>.
/// </summary>
internal static class CountTokensEndpoint
{
    public static async Task HandleAsync(HttpContext context, GatewayState state)
    {
        var (body, readError) = await RequestBodyReader.ReadAsync(context, state.Config.General.MaxRequestSizeBytes);
        if (readError is not null)
        {
            await AnthropicErrors.WriteAsync(context, readError);
            return;
        }
        using (body)
        {
            var error = Estimate(body!.WrittenMemory, state, out var tokens);
            if (error is not null)
            {
                await AnthropicErrors.WriteAsync(context, error);
                return;
            }
            context.Response.ContentType = "application/json";
            await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
            json.WriteStartObject();
            json.WriteNumber("input_tokens"u8, tokens);
            json.WriteEndObject();
        }
    }

    private static GatewayError? Estimate(ReadOnlyMemory<byte> body, GatewayState state, out long tokens)
    {
        tokens = 0;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return GatewayError.BadRequest("Request body must be a JSON object.");
            if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String)
                return GatewayError.BadRequest("Missing required field 'model'.", "model");
            if (!state.Models.TryFind(model.GetString(), out _))
                return ChatCompletionsEndpoint.UnknownModel(model.GetString()!);
            if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
                return GatewayError.BadRequest("Missing required field 'messages'.", "messages");
            long bytes = messages.GetRawText().Length;
            foreach (var name in new[] { "system", "tools" })
            {
                if (root.TryGetProperty(name, out var part))
                    bytes += part.GetRawText().Length;
            }
            tokens = (bytes + 3) / 4;
            return null;
        }
        catch (JsonException e)
        {
            return GatewayError.BadRequest($"Malformed JSON in request body: {e.Message}");
        }
    }
}
