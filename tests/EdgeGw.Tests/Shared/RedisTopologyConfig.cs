using EdgeGw.Config;
using EdgeGw.Shared;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGw.Tests.Shared;

/// <summary>A config as a LiteLLM user writes it, read by EdgeGw's loader, opened with EdgeGw's connection.</summary>
internal static class RedisTopologyConfig
{
    public static RedisSettings Read(string yaml, params (string Name, string Value)[] environment)
    {
        var env = environment.ToDictionary(e => e.Name, e => e.Value);
        var text = yaml.StartsWith("general_settings", StringComparison.Ordinal) ? yaml : "general_settings: { master_key: sk-test }\n" + yaml;
        var config = ConfigLoader.Parse(text, n => env.GetValueOrDefault(n));
        Assert.Empty(config.Warnings);
        return config.Redis!;
    }

    public static RedisConnection Open(RedisSettings settings, ILogger? logger = null) =>
        RedisConnection.Open(settings, logger ?? NullLogger.Instance);
}
