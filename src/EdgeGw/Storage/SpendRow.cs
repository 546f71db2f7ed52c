namespace EdgeGw.Storage;

/// <summary>
/// One request's row in <c>spend_logs</c>, in LiteLLM's <c>LiteLLM_SpendLogs</c> terms; as work for the spend
/// writer it carries the counters the request moved (one object a request, not a row inside a work item).
/// </summary>
internal sealed record SpendRow : SpendWork
{
    /// <summary>False with <c>disable_spend_logs</c>: the row feeds the daily aggregates only, no spend-log row is stored.</summary>
    public bool StoresRow { get; init; } = true;
    public required string RequestId { get; init; }
    public string CallType { get; init; } = "acompletion";
    /// <summary>The SHA-256 hex of the key that made the request.</summary>
    public required string ApiKey { get; init; }
    public long SpendNanos { get; init; }
    public long PromptTokens { get; init; }
    public long CompletionTokens { get; init; }
    public long TotalTokens => PromptTokens + CompletionTokens;
    public required DateTimeOffset StartTime { get; init; }
    public required DateTimeOffset EndTime { get; init; }
    public required string Model { get; init; }
    public required string ModelGroup { get; init; }
    public required string ModelId { get; init; }
    public string ApiBase { get; init; } = "";
    /// <summary><c>custom_llm_provider</c>: the deployment's provider prefix.</summary>
    public string? Provider { get; init; }
    public string? User { get; init; }
    public string? TeamId { get; init; }
    /// <summary><c>end_user</c>: the customer the request was made for (LiteLLM's <c>user</c> and its other sources).</summary>
    public string? EndUser { get; init; }
    /// <summary>As read back; the writer builds it from <see cref="Key"/>, <see cref="Team"/> and <see cref="Attribution"/>.</summary>
    public string MetadataJson { get; init; } = "{}";
    /// <summary>As read back (a JSON array); the writer builds it like <see cref="MetadataJson"/>.</summary>
    public string RequestTagsJson { get; init; } = "[]";
    public bool CacheHit { get; init; }
    /// <summary>The response cache key of a hit (stored as LiteLLM's <c>cache_key</c>; null otherwise).</summary>
    public string? CacheKey { get; init; }
    /// <summary>LiteLLM's <c>cache_key</c> for a request not answered from the cache.</summary>
    public const string NoCacheKey = "Cache OFF";
    /// <summary><c>success</c> or <c>failure</c> (failures carry spend 0).</summary>
    public required string Status { get; init; }
    /// <summary>The tokens are the gateway's estimate (metadata <c>usage_estimated</c>): the upstream's usage never came.</summary>
    public bool UsageEstimated { get; init; }
    /// <summary>A stream the client left before its end (metadata <c>error_information</c>, LiteLLM's 499 <c>ClientDisconnected</c>).</summary>
    public Streaming.ClientGone ClientGone { get; init; }

    // What the writer turns into metadata and request_tags, off the request path.
    public Auth.KeySettings? Key { get; init; }
    public Auth.TeamSettings? Team { get; init; }
    public Spend.RequestAttribution? Attribution { get; init; }
}

/// <summary>Which table a counter's state goes to.</summary>
internal enum CounterTable
{
    Key,
    Team,
    User,
    Global,
    TeamMember,
}

/// <summary>A counter's new state; the writer keeps the highest sequence per counter.</summary>
internal readonly record struct CounterUpdate(CounterTable Table, string Id, Spend.CounterState State);

/// <summary>What the spend writer is handed: counters a change moved, a flush marker, or a request's <see cref="SpendRow"/>.</summary>
internal record SpendWork
{
    public CounterUpdate[] Counters { get; init; } = [];
    public TaskCompletionSource? Flushed { get; init; }
}
