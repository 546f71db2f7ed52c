using System.Runtime.CompilerServices;
using EdgeGw.Cache;
using EdgeGw.Providers;
using EdgeGw.Routing;
using Microsoft.AspNetCore.Http.Features;

namespace EdgeGw.Api;

/// <summary><c>POST /v1/embeddings</c>: OpenAI's shape in and out, whatever the provider.</summary>
internal static class EmbeddingsEndpoint
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public static async ValueTask HandleAsync(HttpContext context, GatewayState state)
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
        var cache = CacheRequest.For(state.Cache, body.Options.Cache, Config.CacheCallTypes.Embedding, CacheFormat.Embedding,
            body.Bytes.WrittenSpan, group!.Name);
        // LiteLLM caches embeddings per input; a mocked answer is not cached at all.
        if (cache is not null && body.Options.MockResponse is null
            && EmbeddingInputs.Split(body.Bytes.WrittenSpan, request.Input) is { } inputs)
        {
            await PerInputAsync(context, state, body, request, group, cache, inputs);
            return;
        }
        await RunAsync(context, state, body, group, body.Bytes.WrittenMemory, request, cache: null);
    }

    private static ValueTask RunAsync(HttpContext context, GatewayState state, ModelRequestBody body, ModelGroup group,
        ReadOnlyMemory<byte> upstreamBody, EmbeddingRequest request, CacheRequest? cache) =>
        ModelRequestPipeline.RunAsync(context, state, group, Limits.RequestEstimate.FromBody(upstreamBody.Length, outputCap: 0), body.Options,
            (Context: context, Body: upstreamBody, Request: request),
            static (s, group, endpoint, accounting, ct) => endpoint.EmbedAsync(
                new EmbeddingCall(s.Context, s.Body, s.Request, group) { Accounting = accounting }, ct),
            ErrorWriter.WriteOpenAiAsync, cache: cache,
            prompt: new(body.Bytes.WrittenMemory, Observability.Callbacks.PromptKind.EmbeddingInput));

    /// <summary>
    /// Looks each input up; all cached: answered as a hit ($0, no provider). Otherwise only the missing
    /// inputs go upstream, their answer (held back) is merged with the cached ones in order, and each new
    /// vector is stored as its own entry.
    /// </summary>
    private static async Task PerInputAsync(HttpContext context, GatewayState state, ModelRequestBody body, EmbeddingRequest request,
        ModelGroup group, CacheRequest cache, Json.JsonRange[] inputs)
    {
        var bytes = body.Bytes.WrittenMemory;
        var keys = CacheKey.ForInputs(bytes.Span, group.Name, cache.Namespace, inputs);
        var vectors = new ReadOnlyMemory<byte>?[inputs.Length];
        var missing = new List<int>(inputs.Length);
        // All lookups in flight at once: a Redis cache answers them in about one round trip, not one per input.
        var lookups = new ValueTask<CacheEntry?>[cache.LooksUp ? inputs.Length : 0];
        for (var i = 0; i < lookups.Length; i++)
            lookups[i] = cache.Cache.GetAsync(keys[i], cache.MaxAge, context.RequestAborted);
        for (var i = 0; i < inputs.Length; i++)
        {
            if (i < lookups.Length && await lookups[i] is { Format: CacheFormat.Embedding } entry)
                vectors[i] = entry.Body;
            else
                missing.Add(i);
        }
        if (missing.Count == 0)
        {
            var list = EmbeddingMerge.WriteHit(vectors, group.Name);
            var hit = new CacheEntry(CacheFormat.Embedding, cache.Cache.NowUnixMs, 0, 0, group.Name, list);
            await RunAsync(context, state, body, group, bytes, request, cache.Answered(hit));
            return;
        }
        var upstreamBody = missing.Count == inputs.Length
            ? bytes
            : EmbeddingInputs.WithOnly(bytes.Span, request.Input, [.. missing.Select(i => inputs[i])]);
        Span<char> name = stackalloc char[ChatRequestParser.MaxModelNameChars];
        if (EmbeddingRequest.Parse(upstreamBody.Span, out var upstreamRequest, name, out _) is not null)
            upstreamRequest = request;
        using var held = new MemoryStream();
        var original = context.Features.Get<IHttpResponseBodyFeature>()!;
        context.Response.Body = held;
        try
        {
            await RunAsync(context, state, body, group, upstreamBody, upstreamRequest, cache: null);
        }
        finally
        {
            await ResponseCapture.DetachAsync(context, original);
        }
        if (context.RequestAborted.IsCancellationRequested)
            return;
        var answer = held.GetBuffer().AsMemory(0, (int)held.Length);
        var order = missing.ToArray();
        if (context.Response.StatusCode == StatusCodes.Status200OK && EmbeddingMerge.TryFill(answer, vectors, order, out var model, out var usage))
        {
            if (cache.Stores)
            {
                foreach (var i in order)
                    cache.Cache.Store(keys[i], new CacheEntry(CacheFormat.Embedding, cache.Cache.NowUnixMs, 0, 0, group.Name, vectors[i]!.Value), cache.Ttl);
            }
            answer = EmbeddingMerge.Write(vectors, model, usage);
        }
        else if (context.Response.StatusCode == StatusCodes.Status200OK && order.Length != inputs.Length)
        {
            // An answer that does not match the inputs sent cannot be merged: never a list shorter than the request's.
            context.Response.ContentLength = null;
            await ErrorWriter.WriteOpenAiAsync(context, new GatewayError(502,
                $"The provider's embeddings answer for model '{group.Name}' did not list one embedding per input sent.", "api_error", "502"));
            return;
        }
        context.Response.ContentLength = answer.Length;
        await context.Response.Body.WriteAsync(answer, context.RequestAborted);
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
