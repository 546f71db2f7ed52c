using EdgeGw.Config;

namespace EdgeGw.Cache;

/// <summary>
/// One request's dealings with the cache, decided before routing: its key, whether to look up and
/// whether to store, from the config's mode and call types and the request's own <c>cache</c> controls.
/// Null (no work at all) when the gateway has no cache or the request is not cached.
/// </summary>
internal sealed class CacheRequest
{
    private CacheRequest(ResponseCache cache, CacheKey key, CacheFormat format, bool lookUp, bool store, TimeSpan? ttl, TimeSpan? maxAge,
        string? ns)
    {
        Namespace = ns;
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
    /// <summary>The namespace keys are under (the request's, else the config's).</summary>
    public string? Namespace { get; }
    /// <summary>An answer already assembled from the cache (embeddings, per input): the pipeline serves it as a hit without a lookup.</summary>
    public CacheEntry? Prepared { get; private set; }
    /// <summary>A streamed request: a hit is replayed as a stream (from an entry of either chat format), a miss stored as it passes.</summary>
    public bool Stream { get; private set; }
    /// <summary><c>stream_options.include_usage</c>: a replay ends with the usage chunk.</summary>
    public bool WantsUsage { get; private set; }

    /// <summary>A Responses request's head (its fresh id, creation time, echo): a hit answers under it, not the stored one's.</summary>
    public Api.Responses.ResponsesStreamHead? ResponsesHead { get; private set; }

    /// <summary>Marks a Responses request (see <see cref="ResponsesHead"/>).</summary>
    public CacheRequest ForResponses(Api.Responses.ResponsesStreamHead head)
    {
        ResponsesHead = head;
        return this;
    }

    /// <summary>Marks the request streamed (see <see cref="Stream"/>).</summary>
    public CacheRequest Streamed(bool wantsUsage)
    {
        Stream = true;
        WantsUsage = wantsUsage;
        return this;
    }

    /// <summary>A request answered by <paramref name="entry"/> (see <see cref="Prepared"/>); nothing is stored.</summary>
    public CacheRequest Answered(CacheEntry entry) =>
        new(Cache, Key, Format, lookUp: true, store: false, Ttl, MaxAge, Namespace) { Prepared = entry };

    /// <summary>Whether <paramref name="entry"/> can answer: its format, or for a stream any chat answer (replayed in the client's format).</summary>
    public bool Accepts(CacheEntry entry) =>
        entry.Format == Format
        || (Stream && Format is CacheFormat.OpenAiChat or CacheFormat.AnthropicMessage && entry.Format is CacheFormat.OpenAiChat or CacheFormat.AnthropicMessage);

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
        var ns = control?.Namespace ?? settings.Namespace;
        return new CacheRequest(cache, CacheKey.For(body, modelGroup, ns), format, lookUp, store, control?.Ttl, control?.MaxAge, ns);
    }
}
