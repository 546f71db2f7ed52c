using EdgeGw.Config;

namespace EdgeGw.Cache;

/// <summary>
/// One request's dealings with the cache, decided before routing: its key, whether to look up and
/// whether to store, from the config's mode and call types and the request's own <c>cache</c> controls.
/// Null (no work at all) when the gateway has no cache or the request is not cached.
/// </summary>
internal sealed class CacheRequest
{
    private CacheRequest(ResponseCache cache, CacheKey key, CacheFormat format, bool lookUp, bool store, TimeSpan? ttl, TimeSpan? maxAge)
    {
        Cache = cache;
        Key = key;
        Format = format;
        LooksUp = lookUp;
        Stores = store;
        Ttl = ttl;
        MaxAge = maxAge;
    }

    public ResponseCache Cache { get; }
    public CacheKey Key { get; }
    /// <summary>The format the endpoint answers in: an entry in another is not used.</summary>
    public CacheFormat Format { get; }
    public bool LooksUp { get; }
    public bool Stores { get; }
    public TimeSpan? Ttl { get; }
    public TimeSpan? MaxAge { get; }

    /// <param name="body">The body without LiteLLM's own fields (the key's input).</param>
    public static CacheRequest? For(ResponseCache? cache, CacheControl? control, CacheCallTypes callType, CacheFormat format,
        ReadOnlySpan<byte> body, string modelGroup)
    {
        if (cache is null)
            return null;
        var settings = cache.Settings;
        if ((settings.CallTypes & callType) == 0)
            return null;
        // default_off: only a request that opts in with use-cache; default_on: any but one opting out.
        var on = control?.UseCache ?? !settings.DefaultOff;
        if (!on)
            return null;
        var lookUp = control?.NoCache != true;
        var store = control?.NoStore != true;
        if (!lookUp && !store)
            return null;
        var key = CacheKey.For(body, modelGroup, control?.Namespace ?? settings.Namespace);
        return new CacheRequest(cache, key, format, lookUp, store, control?.Ttl, control?.MaxAge);
    }
}
