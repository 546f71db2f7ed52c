using System.Collections.Frozen;
using System.Collections.Immutable;

namespace EdgeGw.Config;

/// <summary>LiteLLM's <c>routing_strategy</c> values.</summary>
internal enum RoutingStrategy : byte
{
    SimpleShuffle,
    LeastBusy,
    LatencyBased,
    UsageBased,
    CostBased,
}

/// <summary>
/// How a deployment is chosen within a model group and what happens when it fails: retries,
/// cooldowns, fallbacks. Read from <c>router_settings</c>, with <c>litellm_settings</c> as the
/// second source for the keys LiteLLM accepts in both.
/// </summary>
internal sealed record RouterSettings
{
    public static readonly TimeSpan DefaultCooldown = TimeSpan.FromSeconds(5);
    public const int DefaultNumRetries = 2;
    public const int DefaultMaxFallbacks = 5;

    public RoutingStrategy Strategy { get; init; }
    public string StrategyName { get; init; } = "simple-shuffle";
    /// <summary><c>routing_strategy_args.lowest_latency_buffer</c>: pick among deployments within this fraction of the fastest.</summary>
    public double LowestLatencyBuffer { get; init; }
    public int NumRetries { get; init; } = DefaultNumRetries;
    /// <summary><c>retry_after</c>: the least wait before a retry that has no other deployment to go to.</summary>
    public TimeSpan RetryAfter { get; init; }
    public RetryPolicy RetryPolicy { get; init; } = RetryPolicy.None;
    /// <summary><c>allowed_fails</c>; null selects LiteLLM's default rule (429s, and over half failing in a minute).</summary>
    public int? AllowedFails { get; init; }
    public TimeSpan CooldownTime { get; init; } = DefaultCooldown;
    public int MaxFallbacks { get; init; } = DefaultMaxFallbacks;
    public FallbackMap Fallbacks { get; init; } = FallbackMap.Empty;
    public FallbackMap ContextWindowFallbacks { get; init; } = FallbackMap.Empty;
    public FallbackMap ContentPolicyFallbacks { get; init; } = FallbackMap.Empty;
    /// <summary><c>default_fallbacks</c>: for groups with no entry of their own in <c>fallbacks</c>.</summary>
    public ImmutableArray<string> DefaultFallbacks { get; init; } = [];
    public TimeSpan? Timeout { get; init; }
    /// <summary><c>stream_timeout</c>: for streams, outranks any <c>timeout</c> (LiteLLM's router reads it first).</summary>
    public TimeSpan? StreamTimeout { get; init; }
    /// <summary><c>model_group_alias</c>: names that serve another model group, in config order.</summary>
    public ImmutableArray<ModelAlias> ModelGroupAlias { get; init; } = [];
    /// <summary><c>enable_pre_call_checks</c>: skip deployments whose <c>max_input_tokens</c> the prompt exceeds.</summary>
    public bool EnablePreCallChecks { get; init; }
}

/// <summary>One <c>model_group_alias</c> entry: <c>"alias": "target"</c> or <c>{model: target, hidden: true}</c>.</summary>
internal sealed record ModelAlias(string Alias, string Target, bool Hidden);

/// <summary>LiteLLM's <c>retry_policy</c>: retries per error class; unset classes use <c>num_retries</c>.</summary>
internal sealed record RetryPolicy(
    int? BadRequest = null, int? Authentication = null, int? Timeout = null,
    int? RateLimit = null, int? ContentPolicyViolation = null, int? InternalServerError = null)
{
    public static readonly RetryPolicy None = new();
}

/// <summary>Fallback model groups per model group (LiteLLM's <c>[{"gpt-4": ["gpt-3.5"]}]</c>); <c>"*"</c> matches any group.</summary>
internal sealed class FallbackMap(FrozenDictionary<string, ImmutableArray<string>> map)
{
    public static readonly FallbackMap Empty = new(FrozenDictionary<string, ImmutableArray<string>>.Empty);

    public bool IsEmpty => map.Count == 0;

    /// <summary>Whether a <c>"*"</c> entry catches every group (LiteLLM's default fallbacks).</summary>
    public bool HasWildcard => map.ContainsKey("*");

    public ImmutableArray<string> For(string group) =>
        map.TryGetValue(group, out var list) || map.TryGetValue("*", out list) ? list : [];
}
