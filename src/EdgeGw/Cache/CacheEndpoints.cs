using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Api.Admin;

namespace EdgeGw.Cache;

/// <summary>
/// LiteLLM's <c>/cache</c> routes (caching_routes.py): <c>GET /cache/ping</c> (any key),
/// <c>POST /cache/delete</c> <c>{"keys": [...]}</c> and <c>POST /cache/flushall</c> (master key: they
/// drop every replica's answers). Unlike LiteLLM, delete and flushall work on the local store too, and
/// flushall removes only cached answers, never the limits and budgets sharing the Redis.
/// </summary>
internal static class CacheEndpoints
{
    private const int MaxKeys = 1000;

    private static readonly GatewayError NotInitialized = new(503, "Cache not initialized. litellm.cache is None", "service_unavailable", "503");

    public static Task PingAsync(HttpContext context, GatewayState state)
    {
        if (state.Cache is not { } cache)
            return ErrorWriter.WriteOpenAiAsync(context, NotInitialized);
        var redis = cache.Type == Config.CacheType.Redis;
        return RunAsync(context, cache.PingAsync, $"Service Unhealthy, cache_type: {(redis ? "redis" : "local")}", json =>
        {
            json.WriteString("status", "healthy");
            json.WriteString("cache_type", redis ? "redis" : "local");
            if (redis)
            {
                json.WriteBoolean("ping_response", true);
                json.WriteString("set_cache_response", "success");
            }
        });
    }

    public static async Task DeleteAsync(HttpContext context, GatewayState state)
    {
        if (state.Cache is not { } cache)
        {
            await ErrorWriter.WriteOpenAiAsync(context, NotInitialized);
            return;
        }
        var keys = await ReadKeysAsync(context, state);
        if (keys is null)
        {
            await ErrorWriter.WriteOpenAiAsync(context, GatewayError.BadRequest($"Expected {{\"keys\": [\"<x-litellm-cache-key>\", ...]}} (at most {MaxKeys})", "keys"));
            return;
        }
        await RunAsync(context, () => cache.DeleteAsync(keys), "Cache Delete Failed", Success);
    }

    public static async Task FlushAllAsync(HttpContext context, GatewayState state)
    {
        if (state.Cache is not { } cache)
        {
            await ErrorWriter.WriteOpenAiAsync(context, NotInitialized);
            return;
        }
        // LiteLLM takes no body; one that is there must at least be a JSON object.
        using var body = await ReadObjectAsync(context, state);
        if (body is null)
        {
            await ErrorWriter.WriteOpenAiAsync(context, GatewayError.BadRequest("The request body must be empty or a JSON object."));
            return;
        }
        await RunAsync(context, cache.FlushAsync, "Service Unhealthy", Success);
    }

    private static void Success(Utf8JsonWriter json) => json.WriteString("status", "success");

    /// <summary>Runs the store operation and answers with <paramref name="write"/>'s fields, or a 503 naming <paramref name="failure"/> (never the server's address).</summary>
    private static async Task RunAsync(HttpContext context, Func<Task> action, string failure, Action<Utf8JsonWriter> write)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await ErrorWriter.WriteOpenAiAsync(context, new GatewayError(503, $"{failure} ({e.GetType().Name})", "service_unavailable", "503"));
            return;
        }
        await AdminOutput.WriteAsync(context, json =>
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        });
    }

    /// <summary>The body's <c>keys</c>; null when it is not <c>{"keys": [strings]}</c>.</summary>
    private static async Task<List<string>?> ReadKeysAsync(HttpContext context, GatewayState state)
    {
        using var document = await ReadObjectAsync(context, state);
        if (document is null || !document.RootElement.TryGetProperty("keys", out var list) || list.ValueKind != JsonValueKind.Array
            || list.GetArrayLength() > MaxKeys)
            return null;
        var keys = new List<string>(list.GetArrayLength());
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
                return null;
            keys.Add(item.GetString()!);
        }
        return keys;
    }

    /// <summary>The body as a JSON object (an empty body counts as <c>{}</c>); null for anything else.</summary>
    private static async Task<JsonDocument?> ReadObjectAsync(HttpContext context, GatewayState state)
    {
        var (body, error) = await RequestBodyReader.ReadAsync(context, state.Config.General.MaxRequestSizeBytes);
        using (body)
        {
            if (error is not null || body is null)
                return null;
            if (body.WrittenCount == 0)
                return JsonDocument.Parse("{}");
            // JsonDocument checks UTF-8 only when a string is read: refuse it here, as a 400.
            if (Json.JsonText.InvalidTextError(body.WrittenSpan) is not null)
                return null;
            try
            {
                var document = JsonDocument.Parse(body.WrittenMemory.ToArray());
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                    return document;
                document.Dispose();
            }
            catch (JsonException)
            {
            }
            return null;
        }
    }
}
