using System.Runtime.CompilerServices;
using System.Text.Json;
using EdgeGw.Providers;
using EdgeGw.Providers.Anthropic;

namespace EdgeGw.Api.Messages;

/// <summary>
/// <c>POST /v1/messages/count_tokens</c>. For an <c>anthropic/</c> deployment the request is
/// forwarded and Anthropic's own count returned. Other providers have no counting endpoint in
/// this format, so EdgeGw answers with a documented estimate — one token per four bytes of the
/// request's <c>system</c>, <c>messages</c> and <c>tools</c> JSON — as <c>{"input_tokens": N}</c>.
/// It goes through <see cref="ModelRequestPipeline"/> like <c>/v1/messages</c> (allowlist, budgets,
/// rpm and parallel limits, the deployment's limits, retries) with 0 tokens and no spend row:
/// counting costs nothing (LiteLLM tracks no cost for it either).
/// </summary>
internal static class CountTokensEndpoint
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public static async ValueTask HandleAsync(HttpContext context, GatewayState state)
    {
        using var body = await ModelRequestBody.ReadAsync(context, state, AnthropicErrors.WriteAsync, anthropicMetadata: true);
        if (!body.IsRead)
            return;
        var error = Resolve(body.Bytes.WrittenSpan, state, out var model, out var group);
        if (error is not null)
        {
            await AnthropicErrors.WriteAsync(context, error);
            return;
        }
        await ModelRequestPipeline.RunAsync(context, state, group!, new Limits.RequestEstimate(0, OutputCap: 0), body.Options,
            (Context: context, Body: body.Bytes.WrittenMemory, Model: model),
            static (s, _, endpoint, _, ct) => CountAsync(s.Context, s.Body, s.Model, endpoint, ct),
            AnthropicErrors.WriteAsync, writesSpendRow: false);
    }

    private static GatewayError? Resolve(ReadOnlySpan<byte> body, GatewayState state, out Json.JsonRange model, out Routing.ModelGroup? group)
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
        return null;
    }

    private static async ValueTask<ProviderResult> CountAsync(HttpContext context, ReadOnlyMemory<byte> body, Json.JsonRange model,
        ChatEndpoint endpoint, CancellationToken cancellationToken)
    {
        if (endpoint is AnthropicChatEndpoint { CountsTokens: true } anthropic)
            return await anthropic.CountTokensAsync(context, body, model, cancellationToken);
        context.Response.ContentType = "application/json";
        await using (var json = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            json.WriteStartObject();
            json.WriteNumber("input_tokens"u8, Estimate(body.Span));
            json.WriteEndObject();
        }
        return new ProviderResult(null, true, default);
    }

    /// <summary>Bytes of the top-level <c>system</c>, <c>messages</c> and <c>tools</c> JSON, read in place (no copy of the prompt), over four.</summary>
    private static long Estimate(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 256 });
        long bytes = 0;
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var counted = reader.ValueTextEquals("system"u8) || reader.ValueTextEquals("messages"u8) || reader.ValueTextEquals("tools"u8);
            reader.Read();
            var start = reader.TokenStartIndex;
            reader.Skip();
            if (counted)
                bytes += reader.BytesConsumed - start;
        }
        return (bytes + 3) / 4;
    }
}
