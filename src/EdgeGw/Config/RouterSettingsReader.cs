using System.Collections.Frozen;
using System.Collections.Immutable;
using YamlDotNet.RepresentationModel;

namespace EdgeGw.Config;

/// <summary>
/// Reads the router's keys. LiteLLM takes most of them in <c>router_settings</c> and in
/// <c>litellm_settings</c>; when both set one, <c>router_settings</c> wins (it configures the router itself).
/// </summary>
internal static class RouterSettingsReader
{
    public static readonly string[] RouterKeys =
    [
        "routing_strategy", "routing_strategy_args", "num_retries", "retry_after", "retry_policy", "allowed_fails",
        "cooldown_time", "max_fallbacks", "fallbacks", "context_window_fallbacks", "content_policy_fallbacks",
        "default_fallbacks", "timeout", "stream_timeout", "model_group_alias", "enable_pre_call_checks",
    ];

    /// <summary>The router keys also read from <c>litellm_settings</c>.</summary>
    public static readonly string[] LitellmKeys =
    [
        "num_retries", "retry_after", "retry_policy", "allowed_fails", "cooldown_time", "max_fallbacks", "fallbacks",
        "context_window_fallbacks", "content_policy_fallbacks", "default_fallbacks", "model_group_alias",
    ];

    private static readonly string[] Strategies =
        ["simple-shuffle", "least-busy", "usage-based-routing", "usage-based-routing-v2", "latency-based-routing", "cost-based-routing"];

    public static RouterSettings Read(YamlValues values, YamlMappingNode? router, YamlMappingNode? litellm)
    {
        const string r = "router_settings", l = "litellm_settings";
        var strategyName = values.String(Child(router, "routing_strategy"), $"{r}.routing_strategy") ?? "simple-shuffle";
        var strategy = strategyName switch
        {
            "simple-shuffle" => RoutingStrategy.SimpleShuffle,
            "least-busy" => RoutingStrategy.LeastBusy,
            "latency-based-routing" => RoutingStrategy.LatencyBased,
            "usage-based-routing" or "usage-based-routing-v2" => RoutingStrategy.UsageBased,
            "cost-based-routing" => RoutingStrategy.CostBased,
            _ => throw new ConfigException($"{r}.routing_strategy", $"unknown strategy '{strategyName}' (one of: {string.Join(", ", Strategies)})"),
        };
        var args = YamlValues.Mapping(Child(router, "routing_strategy_args"), $"{r}.routing_strategy_args");

        T? Either<T>(string key, Func<YamlNode?, string, T?> read) where T : struct =>
            read(Child(router, key), $"{r}.{key}") ?? read(Child(litellm, key), $"{l}.{key}");

        var retryAfter = Either("retry_after", values.Double);
        if (retryAfter < 0)
            throw new ConfigException($"{r}.retry_after", "must not be negative");
        var maxFallbacks = Either("max_fallbacks", values.NonNegativeInt);

        return new RouterSettings
        {
            Strategy = strategy,
            StrategyName = strategyName,
            LowestLatencyBuffer = values.Double(Child(args, "lowest_latency_buffer"), $"{r}.routing_strategy_args.lowest_latency_buffer") ?? 0,
            NumRetries = Either("num_retries", values.NonNegativeInt) ?? RouterSettings.DefaultNumRetries,
            RetryAfter = TimeSpan.FromSeconds(retryAfter ?? 0),
            RetryPolicy = ReadRetryPolicy(values, Child(router, "retry_policy"), $"{r}.retry_policy")
                ?? ReadRetryPolicy(values, Child(litellm, "retry_policy"), $"{l}.retry_policy") ?? RetryPolicy.None,
            AllowedFails = Either("allowed_fails", values.NonNegativeInt),
            CooldownTime = Either("cooldown_time", values.Seconds) ?? RouterSettings.DefaultCooldown,
            MaxFallbacks = maxFallbacks ?? RouterSettings.DefaultMaxFallbacks,
            Fallbacks = Map(values, router, litellm, "fallbacks"),
            ContextWindowFallbacks = Map(values, router, litellm, "context_window_fallbacks"),
            ContentPolicyFallbacks = Map(values, router, litellm, "content_policy_fallbacks"),
            DefaultFallbacks = Names(values, Child(router, "default_fallbacks") ?? Child(litellm, "default_fallbacks"), "default_fallbacks"),
            Timeout = values.Seconds(Child(router, "timeout"), $"{r}.timeout"),
            StreamTimeout = values.Seconds(Child(router, "stream_timeout"), $"{r}.stream_timeout"),
            ModelGroupAlias = Child(router, "model_group_alias") is { } aliases
                ? ModelAliasReader.Read(values, aliases, $"{r}.model_group_alias")
                : ModelAliasReader.Read(values, Child(litellm, "model_group_alias"), $"{l}.model_group_alias"),
            EnablePreCallChecks = values.Bool(Child(router, "enable_pre_call_checks"), $"{r}.enable_pre_call_checks") ?? false,
        };
    }

    private static RetryPolicy? ReadRetryPolicy(YamlValues values, YamlNode? node, string path)
    {
        var map = YamlValues.Mapping(node, path);
        if (map is null)
            return null;
        foreach (var key in map.Children.Keys.OfType<YamlScalarNode>())
        {
            if (key.Value is not ("BadRequestErrorRetries" or "AuthenticationErrorRetries" or "TimeoutErrorRetries"
                or "RateLimitErrorRetries" or "ContentPolicyViolationErrorRetries" or "InternalServerErrorRetries"))
                throw new ConfigException($"{path}.{key.Value}", "unknown error class (BadRequestErrorRetries, AuthenticationErrorRetries, TimeoutErrorRetries, RateLimitErrorRetries, ContentPolicyViolationErrorRetries, InternalServerErrorRetries)");
        }
        int? Get(string key) => values.NonNegativeInt(Child(map, key), $"{path}.{key}");
        return new RetryPolicy(Get("BadRequestErrorRetries"), Get("AuthenticationErrorRetries"), Get("TimeoutErrorRetries"),
            Get("RateLimitErrorRetries"), Get("ContentPolicyViolationErrorRetries"), Get("InternalServerErrorRetries"));
    }

    /// <summary>LiteLLM's list of one-key mappings, <c>[{"gpt-4": ["gpt-3.5"]}, …]</c>; a plain mapping is accepted too.</summary>
    private static FallbackMap Map(YamlValues values, YamlMappingNode? router, YamlMappingNode? litellm, string key)
    {
        var (node, path) = Child(router, key) is { } fromRouter ? (fromRouter, $"router_settings.{key}") : (Child(litellm, key), $"litellm_settings.{key}");
        if (YamlValues.IsNull(node))
            return FallbackMap.Empty;
        var result = new Dictionary<string, ImmutableArray<string>>(StringComparer.Ordinal);
        var entries = node is YamlMappingNode single ? [single]
            : YamlValues.Sequence(node, path)!.Children.Select((e, i) => YamlValues.Mapping(e, $"{path}[{i}]")
                ?? throw new ConfigException($"{path}[{i}]", "expected {model_group: [fallback, …]}"));
        foreach (var entry in entries)
        {
            foreach (var (k, v) in entry.Children)
            {
                var group = ((YamlScalarNode)k).Value ?? "";
                result[group] = Names(values, v, $"{path}.{group}");
            }
        }
        return new FallbackMap(result.ToFrozenDictionary(StringComparer.Ordinal));
    }

    internal static ImmutableArray<string> Names(YamlValues values, YamlNode? node, string path)
    {
        if (node is YamlScalarNode scalar)
            return values.String(scalar, path) is { } one ? [one] : [];
        var list = YamlValues.Sequence(node, path);
        return list is null ? [] : [.. list.Children.Select((n, i) => values.Required(n, $"{path}[{i}]"))];
    }

    private static YamlNode? Child(YamlMappingNode? map, string key) =>
        map is not null && map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;
}
