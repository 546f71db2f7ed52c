using System.Collections.Immutable;
using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace EdgeGw.Config;

/// <summary>
/// Finds the shared Redis the way LiteLLM does. The first block that names one is used:
/// <c>general_settings.coordination_redis</c>, then <c>router_settings.redis_url</c> / <c>redis_host</c>
/// (with <c>cache_kwargs</c>), then a <c>litellm_settings.cache_params</c> of <c>type: redis</c>, then
/// <c>REDIS_URL</c> / <c>REDIS_CLUSTER_NODES</c> / <c>REDIS_SENTINEL_NODES</c> / <c>REDIS_HOST</c> alone.
/// Within a block, a key it leaves out is taken from LiteLLM's <c>REDIS_&lt;KWARG&gt;</c> variable
/// (<c>REDIS_PASSWORD</c>, <c>REDIS_SSL</c>, …), and, as in redis-py, a URL wins over Cluster nodes,
/// those over Sentinels, those over host and port.
/// </summary>
internal static class RedisSettingsReader
{
    public static readonly string[] RouterKeys = ["redis_host", "redis_port", "redis_password", "redis_url", "redis_db", "cache_kwargs"];
    public static readonly string[] GeneralKeys = ["coordination_redis"];

    public static RedisSettings? Read(YamlValues values, YamlMappingNode? router, YamlMappingNode? litellm, YamlMappingNode? general = null)
    {
        var block = Coordination(general) ?? Router(values, router) ?? CacheParams(values, litellm);
        return FromBlock(values, block ?? RedisBlock.Environment);
    }

    private static RedisBlock? Coordination(YamlMappingNode? general)
    {
        const string path = "general_settings.coordination_redis";
        return YamlValues.Mapping(YamlValues.Child(general, "coordination_redis"), path) is { } map
            ? new RedisBlock(path, [new(map, path)], [("startup_nodes", "redis_startup_nodes")])
            : null;
    }

    private static RedisBlock? Router(YamlValues values, YamlMappingNode? router)
    {
        const string r = "router_settings";
        if (values.String(YamlValues.Child(router, "redis_url"), $"{r}.redis_url") is null
            && values.String(YamlValues.Child(router, "redis_host"), $"{r}.redis_host") is null)
            return null;
        // LiteLLM's Router: cache_kwargs are applied over redis_* (cache_config.update(cache_kwargs)).
        var kwargs = YamlValues.Mapping(YamlValues.Child(router, "cache_kwargs"), $"{r}.cache_kwargs");
        return new RedisBlock(r, [new(kwargs, $"{r}.cache_kwargs"), new(router, r, AliasesOnly: true)],
            [("url", "redis_url"), ("host", "redis_host"), ("port", "redis_port"), ("password", "redis_password"), ("db", "redis_db")]);
    }

    private static RedisBlock? CacheParams(YamlValues values, YamlMappingNode? litellm)
    {
        const string c = "litellm_settings.cache_params";
        var cache = YamlValues.Mapping(YamlValues.Child(litellm, "cache_params"), c);
        return cache is not null && values.String(YamlValues.Child(cache, "type"), $"{c}.type") is "redis"
            ? new RedisBlock(c, [new(cache, c)], [("startup_nodes", "redis_startup_nodes")])
            : null;
    }

    private static RedisSettings? FromBlock(YamlValues values, RedisBlock block)
    {
        var url = block.String(values, "url");
        var host = block.String(values, "host");
        var cluster = block.Nodes(values, "startup_nodes");
        var sentinels = block.Nodes(values, "sentinel_nodes");
        var source = url.Path ?? cluster.Path ?? sentinels.Path ?? host.Path;
        if (source is null)
        {
            // A block that names no server takes the environment's, as LiteLLM merges REDIS_* under its kwargs.
            url = Env(values, "REDIS_URL");
            cluster = EnvNodes(values, "REDIS_CLUSTER_NODES");
            sentinels = EnvNodes(values, "REDIS_SENTINEL_NODES");
            host = Env(values, "REDIS_HOST");
            source = url.Path ?? cluster.Path ?? sentinels.Path ?? host.Path;
        }
        if (source is null)
        {
            return block.IsEnvironment ? null : throw new ConfigException(block.Path,
                "names no Redis: set url, host, startup_nodes (Cluster) or sentinel_nodes with service_name (Sentinel), or REDIS_URL / REDIS_HOST in the environment");
        }

        var settings = new RedisSettings
        {
            Source = source,
            Url = url.Value,
            Host = url.Value is null ? host.Value : null,
            Port = block.Port(values) ?? EnvPort(values) ?? 6379,
            Username = block.String(values, "username").Value ?? values.Environment("REDIS_USERNAME"),
            Password = block.String(values, "password").Value ?? values.Environment("REDIS_PASSWORD"),
            Database = block.Int(values, "db") ?? EnvInt(values, "REDIS_DB"),
            Ssl = block.Bool(values, "ssl") ?? EnvBool(values, "REDIS_SSL") ?? false,
            ClusterNodes = url.Value is null ? cluster.Nodes : [],
            SentinelNodes = url.Value is null && cluster.Nodes.IsEmpty ? sentinels.Nodes : [],
            ServiceName = block.String(values, "service_name").Value ?? values.Environment("REDIS_SERVICE_NAME"),
            SentinelPassword = block.String(values, "sentinel_password").Value ?? values.Environment("REDIS_SENTINEL_PASSWORD"),
            SslCertReqs = block.CertificateCheck(values) ?? EnvCertificateCheck(values) ?? RedisCertificateCheck.Required,
            SslCaCerts = block.String(values, "ssl_ca_certs").Value ?? values.Environment("REDIS_SSL_CA_CERTS"),
            SslCheckHostname = block.Bool(values, "ssl_check_hostname") ?? EnvBool(values, "REDIS_SSL_CHECK_HOSTNAME") ?? true,
            SslCertFile = block.String(values, "ssl_certfile").Value ?? values.Environment("REDIS_SSL_CERTFILE"),
            SslKeyFile = block.String(values, "ssl_keyfile").Value ?? values.Environment("REDIS_SSL_KEYFILE"),
        };
        WarnIam(values, block);
        if (!settings.SentinelNodes.IsEmpty && settings.ServiceName is null)
            throw new ConfigException(sentinels.Path!, "Redis Sentinel needs service_name (REDIS_SERVICE_NAME): the name of the master the Sentinels watch");
        return RedisSettingsUrl.Resolve(settings, source);
    }

    // LiteLLM's cloud IAM sign-in (AWS ElastiCache, GCP Memorystore) mints tokens EdgeGw cannot yet: say so rather than fail AUTH silently.
    private static void WarnIam(YamlValues values, RedisBlock block)
    {
        foreach (var kwarg in (string[])["aws_iam_auth", "gcp_service_account"])
        {
            var (value, path) = block.String(values, kwarg);
            if (value is not null && Yaml11.Bool(value) != false)
                values.Warn($"{path}: IAM authentication to Redis is not supported yet; EdgeGw signs in with username/password only");
        }
        if (values.Environment("REDIS_GCP_SERVICE_ACCOUNT") is not null)
            values.Warn("REDIS_GCP_SERVICE_ACCOUNT: IAM authentication to Redis is not supported yet; EdgeGw signs in with username/password only");
    }

    /// <summary>redis-py's <c>ssl_cert_reqs</c>: <c>none</c>, <c>optional</c> or <c>required</c> (any case, <c>CERT_</c> prefix allowed).</summary>
    public static RedisCertificateCheck CertificateCheck(string text, string path) => text.Trim().ToUpperInvariant() switch
    {
        "NONE" or "CERT_NONE" => RedisCertificateCheck.None,
        "OPTIONAL" or "CERT_OPTIONAL" => RedisCertificateCheck.Optional,
        "REQUIRED" or "CERT_REQUIRED" => RedisCertificateCheck.Required,
        _ => throw new ConfigException(path, $"expected none, optional or required, got '{text}'"),
    };

    private static (string? Value, string? Path) Env(YamlValues values, string name) =>
        values.Environment(name) is { } value ? (value, name) : (null, null);

    private static (ImmutableArray<RedisNode> Nodes, string? Path) EnvNodes(YamlValues values, string name) =>
        values.Environment(name) is { } json ? (RedisSettingsNodes.FromJson(json, name), name) : ([], null);

    private static int? EnvPort(YamlValues values)
    {
        var port = EnvInt(values, "REDIS_PORT");
        return port is < 1 or > 65535 ? throw new ConfigException("REDIS_PORT", $"expected a port between 1 and 65535, got {port}") : port;
    }

    private static int? EnvInt(YamlValues values, string name)
    {
        if (values.Environment(name) is not { } text)
            return null;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ConfigException(name, $"expected a whole number, got '{text}'");
    }

    private static bool? EnvBool(YamlValues values, string name) =>
        values.Environment(name) is { } text ? Yaml11.Bool(text) ?? throw new ConfigException(name, $"expected true or false, got '{text}'") : null;

    private static RedisCertificateCheck? EnvCertificateCheck(YamlValues values) =>
        values.Environment("REDIS_SSL_CERT_REQS") is { } text ? CertificateCheck(text, "REDIS_SSL_CERT_REQS") : null;
}
