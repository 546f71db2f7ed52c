using System.Collections.Immutable;

namespace EdgeGw.Config;

/// <summary>What to do with limits while Redis cannot be reached.</summary>
internal enum RedisFailureMode
{
    /// <summary>Each replica enforces the limits alone (LiteLLM's behaviour), with a loud log line and a metric.</summary>
    Local,
    /// <summary>Refuse requests that a shared limit governs until Redis answers again.</summary>
    Closed,
}

/// <summary>
/// The Redis every replica shares for limits, budgets and router state, from LiteLLM's settings:
/// <c>router_settings.redis_*</c>, a <c>litellm_settings.cache_params</c> of <c>type: redis</c>, or
/// <c>REDIS_*</c> in the environment. Chosen once at start, kept across config reloads.
/// </summary>
internal sealed record RedisSettings
{
    /// <summary>Where the settings came from, for log lines (never the values: they may hold a password).</summary>
    public required string Source { get; init; }
    /// <summary><c>redis://[user:password@]host:port[/db]</c> or <c>rediss://…</c>; wins over host/port as in LiteLLM.</summary>
    public string? Url { get; init; }
    public string? Host { get; init; }
    public int Port { get; init; } = 6379;
    public string? Username { get; init; }
    public string? Password { get; init; }
    public int? Database { get; init; }
    public bool Ssl { get; init; }
    /// <summary>Redis Cluster: <c>redis_startup_nodes</c> / <c>REDIS_CLUSTER_NODES</c>; the client discovers the rest.</summary>
    public ImmutableArray<RedisNode> ClusterNodes { get; init; } = [];
    /// <summary>Redis Sentinel: <c>sentinel_nodes</c> / <c>REDIS_SENTINEL_NODES</c> with <c>service_name</c>.</summary>
    public ImmutableArray<RedisNode> SentinelNodes { get; init; } = [];
    public string? ServiceName { get; init; }
    public string? SentinelPassword { get; init; }
    /// <summary>How long one command may take before the request goes on without Redis (never hang a request on it).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMilliseconds(250);
    public RedisFailureMode OnUnavailable { get; init; } = RedisFailureMode.Local;
    /// <summary>How the server's certificate is checked (redis-py's <c>ssl_cert_reqs</c>).</summary>
    public RedisCertificateCheck SslCertReqs { get; init; } = RedisCertificateCheck.Required;
    /// <summary>A PEM file of CAs to trust for the server's certificate (<c>ssl_ca_certs</c>), besides the system's.</summary>
    public string? SslCaCerts { get; init; }
    /// <summary>Whether the certificate must name the host connected to (<c>ssl_check_hostname</c>).</summary>
    public bool SslCheckHostname { get; init; } = true;
    /// <summary>A client certificate and its key, PEM (<c>ssl_certfile</c> / <c>ssl_keyfile</c>), for servers that ask for one.</summary>
    public string? SslCertFile { get; init; }
    public string? SslKeyFile { get; init; }
    /// <summary>How long a parallel slot or budget reservation in Redis outlives a replica that never settled it (it crashed).</summary>
    public TimeSpan LeaseTtl { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>
    /// Whether a replica may take a small credit of a limit with lots of room left and admit on it without a round trip
    /// (<c>redis_admission_credit</c>; <see cref="Shared.CreditBook"/>). Off: every admission is one script in Redis.
    /// </summary>
    public bool AdmissionCredit { get; init; } = true;
}

/// <summary>One <c>host</c>, <c>port</c> of a Cluster's startup nodes or of the Sentinels.</summary>
internal readonly record struct RedisNode(string Host, int Port)
{
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}

/// <summary>redis-py's <c>ssl_cert_reqs</c>: <c>required</c> (default), <c>optional</c> (no host name check), <c>none</c> (any certificate).</summary>
internal enum RedisCertificateCheck
{
    Required,
    Optional,
    None,
}
