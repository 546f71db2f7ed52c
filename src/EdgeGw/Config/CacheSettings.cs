namespace EdgeGw.Config;

/// <summary>Where cached answers live: this process (<c>local</c>) or the Redis every replica shares.</summary>
internal enum CacheType
{
    Local,
    Redis,
}

/// <summary>The call types LiteLLM's <c>supported_call_types</c> names, as EdgeGw's endpoints.</summary>
[Flags]
internal enum CacheCallTypes
{
    None = 0,
    /// <summary><c>completion</c> / <c>acompletion</c>: <c>/v1/chat/completions</c>.</summary>
    Completion = 1,
    /// <summary><c>embedding</c> / <c>aembedding</c>: <c>/v1/embeddings</c>.</summary>
    Embedding = 2,
    /// <summary><c>anthropic_messages</c>: <c>/v1/messages</c>.</summary>
    Messages = 4,
    /// <summary><c>responses</c> / <c>aresponses</c>: <c>/v1/responses</c>.</summary>
    Responses = 8,
    /// <summary><c>text_completion</c> / <c>atext_completion</c>: <c>/v1/completions</c>.</summary>
    TextCompletion = 16,
    All = Completion | Embedding | Messages | Responses | TextCompletion,
}

/// <summary>
/// LiteLLM's response cache: <c>litellm_settings.cache: true</c> with <c>cache_params</c>. Null on
/// <see cref="GatewayConfig.Cache"/> when off. The store (local or Redis) is chosen at start and kept
/// across reloads; the rest applies to requests from the next reload.
/// </summary>
internal sealed record CacheSettings
{
    public CacheType Type { get; init; } = CacheType.Local;
    /// <summary><c>ttl</c>: how long an entry lives when the request sets none; null: Redis keeps it, local keeps it 10 minutes (LiteLLM's InMemoryCache).</summary>
    public TimeSpan? Ttl { get; init; }
    /// <summary><c>namespace</c>: prefixed to every key as <c>namespace:</c>.</summary>
    public string? Namespace { get; init; }
    /// <summary><c>mode: default_off</c>: only a request with <c>cache: {"use-cache": true}</c> is looked up and stored.</summary>
    public bool DefaultOff { get; init; }
    public CacheCallTypes CallTypes { get; init; } = CacheCallTypes.All;
    /// <summary><c>max_size_in_memory</c>: entries the local store holds at most.</summary>
    public int MaxEntries { get; init; } = 1000;
    /// <summary><c>max_memory_mb</c> (EdgeGw): bytes the local store holds at most.</summary>
    public long MaxBytes { get; init; } = 32L * 1024 * 1024;
    /// <summary><c>max_size_per_item</c> (KB, LiteLLM's): a larger answer is not cached.</summary>
    public int MaxEntryBytes { get; init; } = 1024 * 1024;

    public static readonly TimeSpan LocalDefaultTtl = TimeSpan.FromMinutes(10);
}
