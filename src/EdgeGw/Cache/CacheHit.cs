using EdgeGw.Api;
using EdgeGw.Providers;

namespace EdgeGw.Cache;

/// <summary>
/// Answers a request from a cached entry: the caller's own limits count it (rpm, parallel; never a
/// deployment's rpm/tpm, no provider is called), the bytes go out as stored, and it is billed $0
/// with <c>cache_hit</c> in the spend log.
/// </summary>
internal static class CacheHit
{
    public const string KeyHeader = "x-litellm-cache-key";

    /// <returns>False when the entry cannot be replayed as the stream asked for: the request goes upstream.</returns>
    public static async Task<bool> AnswerAsync<TState>(HttpContext context, RouteRun<TState> run, Routing.ModelGroup group, CacheRequest cache, CacheEntry entry,
        Func<HttpContext, GatewayError, Task> writeError)
    {
        using var replay = cache.Stream ? StreamReplay.Render(cache, entry)
            : cache.ResponsesHead is { } head ? ResponsesReplay.Refresh(entry.Body.Span, head) : null;
        if (cache.Stream && replay is null)
            return false;
        if (await run.AdmitCallerOnlyAsync() is { } refused)
        {
            await run.Accounting.CompleteAsync(ProviderResult.Failed(refused));
            await writeError(context, refused);
            return true;
        }
        run.Accounting.CacheHit = true;
        var response = context.Response;
        response.Headers[KeyHeader] = cache.Key.Value;
        // The group a normal answer names; no deployment answered, so no model id or api base (as LiteLLM's hit).
        Routing.RouteHeaders.Set(response, group, null, 0, 0);
        response.StatusCode = StatusCodes.Status200OK;
        var body = replay?.WrittenMemory ?? entry.Body;
        if (cache.Stream)
        {
            StreamReplay.SetHeaders(response);
        }
        else
        {
            response.ContentType = "application/json";
            response.ContentLength = body.Length;
        }
        var usage = new Json.Usage { Present = true, PromptTokens = entry.PromptTokens, CompletionTokens = entry.CompletionTokens };
        try
        {
            await response.Body.WriteAsync(body, context.RequestAborted);
        }
        finally
        {
            await run.Accounting.CompleteAsync(new ProviderResult(null, true, usage));
        }
        return true;
    }

    /// <summary>Stores a miss's answer (off the client's path) when it was a whole 200 within the size limit.</summary>
    public static void StoreAnswer(HttpContext context, CacheRequest cache, ResponseCapture capture, in ProviderResult result, string modelGroup)
    {
        if (result.Error is not null || context.Response.StatusCode != StatusCodes.Status200OK || capture.Captured is not { } bytes)
            return;
        var usage = result.Usage;
        var entry = new CacheEntry(cache.Format, cache.Cache.NowUnixMs, usage.PromptTokens, usage.CompletionTokens, modelGroup, bytes.ToArray());
        cache.Cache.Store(cache.Key, entry, cache.Ttl);
    }
}
