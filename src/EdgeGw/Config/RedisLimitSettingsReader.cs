using YamlDotNet.RepresentationModel;

namespace EdgeGw.Config;

/// <summary>
/// EdgeGw's own knobs for the shared limits (LiteLLM has none: its Redis limiter always fails open):
/// <c>router_settings.redis_failure_mode</c> (<c>local</c> | <c>closed</c>), <c>redis_timeout</c> and
/// <c>redis_lease_ttl</c>, in seconds; <c>redis_admission_credit</c> (true | false).
/// </summary>
internal static class RedisLimitSettingsReader
{
    public static readonly string[] RouterKeys = ["redis_failure_mode", "redis_timeout", "redis_lease_ttl", "redis_admission_credit"];

    public static RedisSettings? Apply(RedisSettings? settings, YamlValues values, YamlMappingNode? router)
    {
        if (settings is null)
            return null;
        const string r = "router_settings";
        var mode = values.String(YamlValues.Child(router, "redis_failure_mode"), $"{r}.redis_failure_mode");
        return settings with
        {
            OnUnavailable = mode switch
            {
                null or "local" or "open" => RedisFailureMode.Local,
                "closed" => RedisFailureMode.Closed,
                _ => throw new ConfigException($"{r}.redis_failure_mode", $"expected local or closed, got '{mode}'"),
            },
            Timeout = values.Seconds(YamlValues.Child(router, "redis_timeout"), $"{r}.redis_timeout") ?? settings.Timeout,
            LeaseTtl = values.Seconds(YamlValues.Child(router, "redis_lease_ttl"), $"{r}.redis_lease_ttl") ?? settings.LeaseTtl,
            AdmissionCredit = values.Bool(YamlValues.Child(router, "redis_admission_credit"), $"{r}.redis_admission_credit") ?? settings.AdmissionCredit,
        };
    }
}
