using EdgeGw.Providers;
using EdgeGw.Routing;

namespace EdgeGw.Api;

/// <summary><c>POST /v1/embeddings</c>: OpenAI's shape in and out, whatever the provider.</summary>
internal static class EmbeddingsEndpoint
{
    public static async Task HandleAsync(HttpContext context, GatewayState state)
    {
        using var body = await ModelRequestBody.ReadAsync(context, state, ErrorWriter.WriteOpenAiAsync);
        if (!body.IsRead)
            return;
        var error = Resolve(body.Bytes.WrittenSpan, state, out var request, out var group);
        if (error is not null)
        {
            await ErrorWriter.WriteOpenAiAsync(context, error);
            return;
        }
        var cache = Cache.CacheRequest.For(state.Cache, body.Options.Cache, Config.CacheCallTypes.Embedding, Cache.CacheFormat.Embedding,
            body.Bytes.WrittenSpan, group!.Name);
        await ModelRequestPipeline.RunAsync(context, state, group!, Limits.RequestEstimate.FromBody(body.Bytes.WrittenSpan.Length, outputCap: 0), body.Options,
            (Context: context, Body: body.Bytes.WrittenMemory, Request: request),
            static (s, group, endpoint, accounting, ct) => endpoint.EmbedAsync(
                new EmbeddingCall(s.Context, s.Body, s.Request, group) { Accounting = accounting }, ct),
            ErrorWriter.WriteOpenAiAsync, cache: cache);
    }

    private static GatewayError? Resolve(ReadOnlySpan<byte> body, GatewayState state, out EmbeddingRequest request, out Routing.ModelGroup? group)
    {
        group = null;
        Span<char> name = stackalloc char[ChatRequestParser.MaxModelNameChars];
        var error = EmbeddingRequest.Parse(body, out request, name, out var length);
        if (error is not null)
            return error;
        if (!state.Models.TryFind(name[..length], out var found))
            return ChatCompletionsEndpoint.UnknownModel(name[..length].ToString());
        group = found;
        return null;
    }
}
