using System.Text.Json;
using EdgeGw.Providers.Anthropic;

namespace EdgeGw.Api.Messages;

/// <summary>
/// <c>POST /v1/messages/count_tokens</c>. For an <c>anthropic/</c> deployment the request is
/// forwarded and Anthropic's own count returned. Other providers have no counting endpoint in
/// this format, so EdgeGw answers with a documented estimate — one token per four bytes of the
/// request's <c>system</c>, <c>messages</c> and <c>tools</c> JSON — as <c>{"input_tokens": N}</c>.
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
            var error = Resolve(context, body!.WrittenSpan, state, out var model, out var group);
            if (error is null && group!.Pick() is AnthropicChatEndpoint anthropic)
            {
                var result = await anthropic.CountTokensAsync(context, body.WrittenMemory, model, context.RequestAborted);
                error = result.ResponseStarted ? null : result.Error;
                if (error is null)
                    return;
            }
            else if (error is null)
            {
                var estimate = Estimate(body.WrittenMemory);
                context.Response.ContentType = "application/json";
                await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
                json.WriteStartObject();
                json.WriteNumber("input_tokens"u8, estimate);
                json.WriteEndObject();
                return;
            }
            await AnthropicErrors.WriteAsync(context, error);
        }
    }

    private static GatewayError? Resolve(HttpContext context, ReadOnlySpan<byte> body, GatewayState state, out Json.JsonRange model, out Routing.ModelGroup? group)
    {
        group = null;
        Span<char> name = stackalloc char[ChatRequestParser.MaxModelNameChars];
        var error = ChatRequestParser.Parse(body, out var request, name, out var length);
        model = request.Model;
        if (error is not null)
            return error;
        if (!state.Models.TryFind(name[..length], out var found))
            return ChatCompletionsEndpoint.UnknownModel(name[..length].ToString());
        group = found;
        // Same scope as /v1/messages: a key may only count for models it may call, while within budget.
        var caller = Auth.Caller.Of(context);
        return Auth.ModelAccess.Check(caller, state.Data.Accounts, found) ?? state.Data.Ledger.Check(caller, state.GlobalBudget);
    }

    private static long Estimate(ReadOnlyMemory<byte> body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        long bytes = 0;
        foreach (var name in new[] { "system", "messages", "tools" })
        {
            if (root.TryGetProperty(name, out var part))
                bytes += System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(part).Length; // bytes: decoding text that may be invalid UTF-8 threw
        }
        return (bytes + 3) / 4;
    }
}
