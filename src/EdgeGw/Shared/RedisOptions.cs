using EdgeGw.Config;
using StackExchange.Redis;

namespace EdgeGw.Shared;

/// <summary>
/// Turns LiteLLM-style Redis settings into StackExchange.Redis options, choosing the topology as
/// redis-py does: a URL, else Cluster startup nodes (the client discovers the rest of the cluster),
/// else Sentinels with a service name, else host and port.
/// </summary>
internal static class RedisOptions
{
    public static ConfigurationOptions For(RedisSettings settings)
    {
        settings = RedisSettingsUrl.Resolve(settings, settings.Source);
        var options = Base(settings);
        if (settings.Url is null && !settings.ClusterNodes.IsEmpty)
            AddAll(options, settings.ClusterNodes);
        else if (IsSentinel(settings))
        {
            AddAll(options, settings.SentinelNodes);
            options.ServiceName = settings.ServiceName;
            // LiteLLM: without a password of the master's own, the Sentinels' is used for it too.
            options.Password ??= settings.SentinelPassword;
        }
        else if (settings.Host is { } host)
            options.EndPoints.Add(host, settings.Port);
        return options;
    }

    /// <summary>The Sentinels' own connection: <c>sentinel_password</c>, no database, the same TLS.</summary>
    public static ConfigurationOptions ForSentinels(RedisSettings settings)
    {
        var options = Base(settings with { Password = settings.SentinelPassword, Username = null, Database = null });
        AddAll(options, settings.SentinelNodes);
        options.ServiceName = settings.ServiceName;
        return options;
    }

    public static bool IsSentinel(RedisSettings settings) =>
        settings.Url is null && settings.ClusterNodes.IsEmpty && !settings.SentinelNodes.IsEmpty && settings.ServiceName is not null;

    private static ConfigurationOptions Base(RedisSettings settings)
    {
        var options = new ConfigurationOptions
        {
            // Start (and keep serving) while Redis is down; the multiplexer reconnects by itself.
            AbortOnConnectFail = false,
            ConnectTimeout = Milliseconds(settings.Timeout * 4),
            SyncTimeout = Milliseconds(settings.Timeout),
            AsyncTimeout = Milliseconds(settings.Timeout),
            ConnectRetry = 1,
            ClientName = "edgegw",
            User = settings.Username,
            Password = settings.Password,
            Ssl = settings.Ssl,
        };
        if (settings.Database is { } db)
            options.DefaultDatabase = db;
        if (settings.Ssl)
            RedisTls.Apply(options, settings);
        return options;
    }

    private static void AddAll(ConfigurationOptions options, IEnumerable<RedisNode> nodes)
    {
        foreach (var node in nodes)
            options.EndPoints.Add(node.Host, node.Port);
    }

    private static int Milliseconds(TimeSpan span) => (int)Math.Max(1, span.TotalMilliseconds);
}
