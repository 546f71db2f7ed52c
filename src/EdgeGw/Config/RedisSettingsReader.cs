using YamlDotNet.RepresentationModel;

namespace EdgeGw.Config;

/// <summary>
/// Finds the shared Redis the way LiteLLM does: <c>router_settings.redis_url</c> / <c>redis_host</c>
/// (+ <c>redis_port</c>, <c>redis_password</c>) first, then <c>litellm_settings.cache_params</c> of
/// <c>type: redis</c>, then <c>REDIS_URL</c> or <c>REDIS_HOST</c> in the environment. A URL wins over
/// host and port wherever it is given.
/// </summary>
internal static class RedisSettingsReader
{
    public static readonly string[] RouterKeys = ["redis_host", "redis_port", "redis_password", "redis_url", "redis_db"];

    public static RedisSettings? Read(YamlValues values, YamlMappingNode? router, YamlMappingNode? litellm)
    {
        const string r = "router_settings";
        var url = values.String(Child(router, "redis_url"), $"{r}.redis_url");
        var host = values.String(Child(router, "redis_host"), $"{r}.redis_host");
        if (url is not null || host is not null)
        {
            return new RedisSettings
            {
                Source = url is not null ? $"{r}.redis_url" : $"{r}.redis_host",
                Url = url,
                Host = host,
                Port = Port(values, Child(router, "redis_port"), $"{r}.redis_port") ?? 6379,
                Password = values.String(Child(router, "redis_password"), $"{r}.redis_password"),
                Database = values.NonNegativeInt(Child(router, "redis_db"), $"{r}.redis_db"),
            };
        }

        var cache = YamlValues.Mapping(Child(litellm, "cache_params"), "litellm_settings.cache_params");
        const string c = "litellm_settings.cache_params";
        if (cache is not null && values.String(Child(cache, "type"), $"{c}.type") is "redis")
        {
            return new RedisSettings
            {
                Source = c,
                Url = values.String(Child(cache, "url"), $"{c}.url") ?? values.Environment("REDIS_URL"),
                Host = values.String(Child(cache, "host"), $"{c}.host") ?? values.Environment("REDIS_HOST"),
                Port = Port(values, Child(cache, "port"), $"{c}.port") ?? EnvironmentPort(values) ?? 6379,
                Password = values.String(Child(cache, "password"), $"{c}.password") ?? values.Environment("REDIS_PASSWORD"),
                Username = values.String(Child(cache, "username"), $"{c}.username") ?? values.Environment("REDIS_USERNAME"),
                Ssl = values.Bool(Child(cache, "ssl"), $"{c}.ssl") ?? EnvironmentSsl(values),
            };
        }

        if (values.Environment("REDIS_URL") is { } envUrl)
            return new RedisSettings { Source = "REDIS_URL", Url = envUrl };
        if (values.Environment("REDIS_HOST") is { } envHost)
        {
            return new RedisSettings
            {
                Source = "REDIS_HOST",
                Host = envHost,
                Port = EnvironmentPort(values) ?? 6379,
                Password = values.Environment("REDIS_PASSWORD"),
                Username = values.Environment("REDIS_USERNAME"),
                Ssl = EnvironmentSsl(values),
            };
        }
        return null;
    }

    private static int? Port(YamlValues values, YamlNode? node, string path)
    {
        var port = values.Int(node, path);
        if (port is < 1 or > 65535)
            throw new ConfigException(path, $"expected a port between 1 and 65535, got {port}");
        return port;
    }

    private static int? EnvironmentPort(YamlValues values)
    {
        if (values.Environment("REDIS_PORT") is not { } text)
            return null;
        if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw new ConfigException("REDIS_PORT", $"expected a port between 1 and 65535, got '{text}'");
        return port;
    }

    private static bool EnvironmentSsl(YamlValues values) =>
        values.Environment("REDIS_SSL") is { } ssl && Yaml11.Bool(ssl) == true;

    private static YamlNode? Child(YamlMappingNode? map, string key) => YamlValues.Child(map, key);
}
