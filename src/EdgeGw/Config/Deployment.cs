using System.Collections.Frozen;
using System.Collections.Immutable;

namespace EdgeGw.Config;

/// <summary>One <c>model_list</c> entry: a model group name bound to one provider model.</summary>
internal sealed record Deployment
{
    /// <summary>Position in <c>model_list</c>, for messages that point at the entry.</summary>
    public required int Index { get; init; }
    public required string ModelName { get; init; }
    /// <summary>
    /// The part of <c>litellm_params.model</c> before the first '/', or the provider LiteLLM infers for
    /// a bare name; <see cref="ModelReference.PerRequest"/> when each request's model names it.
    /// </summary>
    public required string Provider { get; init; }
    /// <summary>The part after the first '/' (or the bare name), sent upstream as the model id; may hold '*'.</summary>
    public required string ModelId { get; init; }
    /// <summary><c>model_info.id</c>, or a stable id derived from the entry when absent.</summary>
    public required string Id { get; init; }
    public string? ApiKey { get; init; }
    public string? ApiBase { get; init; }
    public string? ApiVersion { get; init; }
    public int? Rpm { get; init; }
    public int? Tpm { get; init; }
    public double? Weight { get; init; }
    public int? Order { get; init; }
    public TimeSpan? Timeout { get; init; }
    public TimeSpan? StreamTimeout { get; init; }
    public int? MaxRetries { get; init; }
    public decimal? InputCostPerToken { get; init; }
    public decimal? OutputCostPerToken { get; init; }
    public FrozenDictionary<string, string> ExtraHeaders { get; init; } = FrozenDictionary<string, string>.Empty;
    /// <summary><c>model_info.max_tokens</c>: the default output cap for providers that require one.</summary>
    public int? MaxTokens { get; init; }
    /// <summary><c>model_info.health_check_model</c>: the model id <c>GET /health</c> calls instead of <see cref="ModelId"/>.</summary>
    public string? HealthCheckModel { get; init; }
    /// <summary><c>model_info.access_groups</c>: names a key's or team's <c>models</c> list may use to allow this group.</summary>
    public ImmutableArray<string> AccessGroups { get; init; } = [];
    /// <summary><c>model_info.max_input_tokens</c>: the context window <c>enable_pre_call_checks</c> compares the prompt with.</summary>
    public long? MaxInputTokens { get; init; }
    public MockSettings Mock { get; init; } = MockSettings.Default;
    /// <summary>Provider-specific <c>litellm_params</c> this build does not interpret, kept verbatim.</summary>
    public FrozenDictionary<string, string> OtherParams { get; init; } = FrozenDictionary<string, string>.Empty;

    /// <summary>
    /// For a <see cref="ModelReference.PerRequest"/> deployment: this entry completed for each provider a
    /// request may name (key and base defaults applied); providers it cannot be completed for are absent.
    /// </summary>
    public FrozenDictionary<string, Deployment> PerProvider { get; init; } = FrozenDictionary<string, Deployment>.Empty;

    /// <summary>Stored through the API (<c>/model/new</c>) rather than read from the config file: <c>model_info.db_model</c>.</summary>
    public bool FromDatabase { get; init; }

    /// <summary>The <c>model_name</c> pattern this deployment was expanded from for one request name; null for config entries.</summary>
    public string? Pattern { get; init; }

    /// <summary>Whether <see cref="ModelName"/> is a pattern (LiteLLM's wildcard routing) rather than a name.</summary>
    public bool IsWildcard => ModelName.Contains('*', StringComparison.Ordinal);
}

/// <summary>
/// Settings of the built-in <c>mock/</c> provider, read from <c>litellm_params</c>:
/// <c>mock_response</c> (LiteLLM's name), <c>mock_latency_ms</c>, <c>mock_tokens_per_second</c>.
/// </summary>
internal sealed record MockSettings(string? Response, TimeSpan Latency, double TokensPerSecond)
{
    public static readonly MockSettings Default = new(null, TimeSpan.Zero, 0);
}
