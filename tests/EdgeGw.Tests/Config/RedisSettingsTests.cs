using System.Globalization;
using EdgeGw.Config;

namespace EdgeGw.Tests.Config;

/// <summary>Every way LiteLLM names its Redis, and which one wins, read as a one-line summary of the settings.</summary>
public sealed class RedisSettingsTests
{
    // yaml (the part after general_settings), environment ("NAME=value;…"), the settings as Summary writes them.
    [Theory]
    [InlineData("router_settings: {redis_host: h, redis_port: 6380, redis_password: pw, redis_db: 3}", "",
        "router_settings.redis_host|h:6380|-|pw|3|plain")]
    [InlineData("router_settings: {redis_url: 'redis://u:p%40ss@h:6390/4'}", "",
        "router_settings.redis_url|h:6390|u|p@ss|4|plain")]
    [InlineData("router_settings: {redis_url: 'rediss://:pw@h?ssl_cert_reqs=none&db=5'}", "",
        "router_settings.redis_url|h:6379|-|pw|5|tls none")]
    [InlineData("router_settings: {redis_host: os.environ/MY_HOST, redis_port: os.environ/MY_PORT, redis_password: os.environ/MY_PW}", "MY_HOST=h2;MY_PORT=7000;MY_PW=pw2",
        "router_settings.redis_host|h2:7000|-|pw2|-|plain")]
    [InlineData("router_settings: {redis_host: h, cache_kwargs: {ssl: true, username: u, ssl_cert_reqs: optional, db: 2}}", "",
        "router_settings.redis_host|h:6379|u|-|2|tls optional")]
    [InlineData("router_settings: {redis_host: h}", "REDIS_PASSWORD=envpw;REDIS_PORT=6400;REDIS_USERNAME=eu;REDIS_SSL=True",
        "router_settings.redis_host|h:6400|eu|envpw|-|tls required")]
    [InlineData("litellm_settings: {cache_params: {type: redis, host: c, port: '6381', password: cpw, username: cu, ssl: true, db: 1}}", "",
        "litellm_settings.cache_params.host|c:6381|cu|cpw|1|tls required")]
    [InlineData("litellm_settings: {cache_params: {type: redis, url: 'rediss://c:6382'}}", "",
        "litellm_settings.cache_params.url|c:6382|-|-|-|tls required")]
    [InlineData("litellm_settings: {cache_params: {type: redis, ssl: true, ssl_cert_reqs: null, ssl_check_hostname: false, ssl_ca_certs: /ca.pem, ssl_certfile: /c.pem, ssl_keyfile: /k.pem, host: c}}", "",
        "litellm_settings.cache_params.host|c:6379|-|-|-|tls none nohost ca=/ca.pem client=/c.pem,/k.pem")]
    [InlineData("litellm_settings: {cache_params: {type: redis, redis_startup_nodes: [{host: n1, port: '7001'}, {host: n2, port: 7002}]}}", "",
        "litellm_settings.cache_params.redis_startup_nodes|cluster n1:7001,n2:7002|-|-|-|plain")]
    [InlineData("litellm_settings: {cache_params: {type: redis, startup_nodes: '[{\"host\": \"n1\", \"port\": \"7001\"}]', password: pw}}", "",
        "litellm_settings.cache_params.startup_nodes|cluster n1:7001|-|pw|-|plain")]
    [InlineData("litellm_settings: {cache_params: {type: redis, service_name: mymaster, sentinel_nodes: [[s1, 26379], [s2, '26380']], sentinel_password: spw}}", "",
        "litellm_settings.cache_params.sentinel_nodes|sentinel mymaster s1:26379,s2:26380 spw|-|-|-|plain")]
    [InlineData("litellm_settings: {cache_params: {type: redis}}", "REDIS_HOST=eh;REDIS_PORT=6390",
        "REDIS_HOST|eh:6390|-|-|-|plain")]
    [InlineData("general_settings: {master_key: sk-x, coordination_redis: {host: co, port: 6383, password: copw, ssl: true}}", "",
        "general_settings.coordination_redis.host|co:6383|-|copw|-|tls required")]
    [InlineData("", "REDIS_URL=redis://:epw@eu:6391/2",
        "REDIS_URL|eu:6391|-|epw|2|plain")]
    [InlineData("", "REDIS_HOST=eh;REDIS_PORT=6392;REDIS_PASSWORD=epw;REDIS_USERNAME=eu;REDIS_SSL=true;REDIS_DB=6;REDIS_SSL_CERT_REQS=None",
        "REDIS_HOST|eh:6392|eu|epw|6|tls none")]
    [InlineData("", "REDIS_HOST=eh;REDIS_SSL=true;REDIS_SSL_CA_CERTS=/ca.pem;REDIS_SSL_CHECK_HOSTNAME=false;REDIS_SSL_CERTFILE=/c.pem;REDIS_SSL_KEYFILE=/k.pem",
        "REDIS_HOST|eh:6379|-|-|-|tls required nohost ca=/ca.pem client=/c.pem,/k.pem")]
    [InlineData("", "REDIS_CLUSTER_NODES=[{\"host\": \"n1\", \"port\": \"7001\"}, {\"host\": \"n2\", \"port\": 7002}]",
        "REDIS_CLUSTER_NODES|cluster n1:7001,n2:7002|-|-|-|plain")]
    [InlineData("", "REDIS_SENTINEL_NODES=[[\"s1\", 26379]];REDIS_SERVICE_NAME=mymaster;REDIS_SENTINEL_PASSWORD=spw",
        "REDIS_SENTINEL_NODES|sentinel mymaster s1:26379 spw|-|-|-|plain")]
    public void EachLiteLlmSpelling_ReadAsLiteLlmReadsIt(string yaml, string env, string expected) =>
        Assert.Equal(expected, Summary(Read(yaml, env)));

    // Which of several named Redis servers is used.
    [Theory]
    [InlineData("router_settings: {redis_host: r}\nlitellm_settings: {cache_params: {type: redis, host: c}}", "REDIS_HOST=e", "r:6379")]
    [InlineData("litellm_settings: {cache_params: {type: redis, host: c}}", "REDIS_HOST=e;REDIS_URL=redis://u:6379", "c:6379")]
    [InlineData("litellm_settings: {cache_params: {type: local, host: c}}", "REDIS_HOST=e", "e:6379")]
    [InlineData("general_settings: {master_key: sk-x, coordination_redis: {host: co}}\nrouter_settings: {redis_host: r}", "", "co:6379")]
    [InlineData("router_settings: {redis_port: 6380}", "REDIS_HOST=e", "e:6379")]
    [InlineData("litellm_settings: {cache_params: {type: redis, url: 'redis://u:1', redis_startup_nodes: [{host: n, port: 2}]}}", "", "u:1")]
    [InlineData("litellm_settings: {cache_params: {type: redis, redis_startup_nodes: [{host: n, port: 2}], sentinel_nodes: [[s, 3]], service_name: m}}", "", "cluster n:2")]
    [InlineData("litellm_settings: {cache_params: {type: redis, host: h, sentinel_nodes: [[s, 3]], service_name: m}}", "", "sentinel m s:3 -")]
    public void SeveralNamed_FirstInLiteLlmsOrderWins(string yaml, string env, string expectedTarget) =>
        Assert.Equal(expectedTarget, Summary(Read(yaml, env))!.Split('|')[1]);

    [Theory]
    [InlineData("")]
    [InlineData("litellm_settings: {cache: true, cache_params: {type: local}}")]
    [InlineData("router_settings: {redis_password: pw}")]
    public void NoRedisNamed_NoRedis(string yaml) => Assert.Null(Read(yaml, "REDIS_PORT=tcp://10.0.0.1:6379;REDIS_PASSWORD=pw"));

    // A bad value stops start-up naming its key, and never repeats a password.
    [Theory]
    [InlineData("router_settings: {redis_host: h, redis_port: 70000}", "", "router_settings.redis_port")]
    [InlineData("router_settings: {redis_url: 'http://u:s3cret@h:6379'}", "", "router_settings.redis_url")]
    [InlineData("router_settings: {redis_url: 'redis://:s3cret@h:99999'}", "", "router_settings.redis_url")]
    [InlineData("", "REDIS_URL=rediss://:s3cret@h/zero", "REDIS_URL")]
    [InlineData("", "REDIS_URL=rediss://:s3cret@h/0?ssl_cert_reqs=maybe", "REDIS_URL (?ssl_cert_reqs=)")]
    [InlineData("", "REDIS_HOST=h;REDIS_PORT=tcp://10.0.0.1:6379;REDIS_PASSWORD=s3cret", "REDIS_PORT")]
    [InlineData("", "REDIS_HOST=h;REDIS_SSL=maybe;REDIS_PASSWORD=s3cret", "REDIS_SSL")]
    [InlineData("", "REDIS_HOST=h;REDIS_SSL_CERT_REQS=sometimes", "REDIS_SSL_CERT_REQS")]
    [InlineData("", "REDIS_CLUSTER_NODES=127.0.0.1:7001", "REDIS_CLUSTER_NODES")]
    [InlineData("", "REDIS_SENTINEL_NODES=[[\"s\", 26379]];REDIS_SENTINEL_PASSWORD=s3cret", "REDIS_SENTINEL_NODES")]
    [InlineData("litellm_settings: {cache_params: {type: redis, host: h, ssl_cert_reqs: sometimes}}", "", "litellm_settings.cache_params.ssl_cert_reqs")]
    [InlineData("litellm_settings: {cache_params: {type: redis, redis_startup_nodes: [{host: n}]}}", "", "litellm_settings.cache_params.redis_startup_nodes[0]")]
    [InlineData("litellm_settings: {cache_params: {type: redis, redis_startup_nodes: []}}", "", "litellm_settings.cache_params.redis_startup_nodes")]
    [InlineData("litellm_settings: {cache_params: {type: redis, sentinel_nodes: [[s, 26379]], password: s3cret}}", "", "litellm_settings.cache_params.sentinel_nodes")]
    [InlineData("litellm_settings: {cache_params: {type: redis, password: s3cret}}", "", "litellm_settings.cache_params")]
    [InlineData("general_settings: {master_key: sk-x, coordination_redis: {password: s3cret}}", "", "general_settings.coordination_redis")]
    [InlineData("router_settings: {redis_host: h, cache_kwargs: {ssl: perhaps}, redis_password: s3cret}", "", "router_settings.cache_kwargs.ssl")]
    public void BadValue_ConfigErrorNamesKeyNotSecret(string yaml, string env, string key)
    {
        var e = Assert.Throws<ConfigException>(() => Read(yaml, env));
        Assert.Equal(key, e.KeyPath);
        Assert.DoesNotContain("s3cret", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SupportedCallTypesEmpty_RedisForLimitsWithoutCacheWarning()
    {
        var config = Parse("""
            general_settings: { master_key: sk-x, coordination_redis: { host: co } }
            router_settings: { redis_host: r, cache_kwargs: { ssl: false } }
            litellm_settings:
              cache: true
              cache_params: { type: redis, host: c, namespace: litellm, ttl: 600, supported_call_types: [] }
            """, "");
        Assert.Equal("co", config.Redis!.Host);
        Assert.Null(config.Cache);
        Assert.Empty(config.Deferred);
        Assert.Empty(config.IgnoredKeys);
        Assert.Empty(config.Warnings);
    }

    [Fact]
    public void SupportedCallTypesListed_CachesOnlyThose()
    {
        var config = Parse("litellm_settings: { cache: true, cache_params: { type: redis, host: c, supported_call_types: [acompletion] } }", "");
        Assert.Equal((CacheType.Redis, CacheCallTypes.Completion), (config.Cache!.Type, config.Cache.CallTypes));
        Assert.Empty(config.Deferred);
    }

    [Theory]
    [InlineData("litellm_settings: {cache_params: {type: redis, host: h, gcp_service_account: projects/-/serviceAccounts/sa}}", "", "litellm_settings.cache_params.gcp_service_account")]
    [InlineData("general_settings: {master_key: sk-x, coordination_redis: {host: h, aws_iam_auth: true}}", "", "general_settings.coordination_redis.aws_iam_auth")]
    [InlineData("", "REDIS_HOST=h;REDIS_GCP_SERVICE_ACCOUNT=sa", "REDIS_GCP_SERVICE_ACCOUNT")]
    public void IamAuthentication_WarnedAsNotSupported(string yaml, string env, string key) =>
        Assert.StartsWith(key + ": IAM authentication", Assert.Single(Parse(yaml, env).Warnings), StringComparison.Ordinal);

    [Fact]
    public void UrlWithEscapedColonInPassword_SplitAtTheFirstRealColon()
    {
        var settings = RedisSettingsUrl.Resolve(Read("router_settings: {redis_url: 'redis://us%3Aer:pa%3Ass@h'}", "")!, "t");
        Assert.Equal(("us:er", "pa:ss"), (settings.Username, settings.Password));
    }

    private static RedisSettings? Read(string yaml, string env) => Parse(yaml, env).Redis;

    private static GatewayConfig Parse(string yaml, string env)
    {
        var variables = env.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var text = yaml.StartsWith("general_settings", StringComparison.Ordinal) ? yaml : "general_settings: {master_key: sk-x}\n" + yaml;
        return ConfigLoader.Parse(text, n => variables.GetValueOrDefault(n));
    }

    /// <summary>source|target|user|password|db|tls — what a user would check, on one line.</summary>
    private static string? Summary(RedisSettings? read)
    {
        if (read is null)
            return null;
        var s = RedisSettingsUrl.Resolve(read, read.Source);
        var target = !s.ClusterNodes.IsEmpty ? $"cluster {string.Join(',', s.ClusterNodes)}"
            : !s.SentinelNodes.IsEmpty ? $"sentinel {s.ServiceName} {string.Join(',', s.SentinelNodes)} {s.SentinelPassword ?? "-"}"
            : $"{s.Host}:{s.Port}";
        var tls = !s.Ssl ? "plain" : string.Join(' ', new[]
        {
            "tls", s.SslCertReqs.ToString().ToLowerInvariant(), s.SslCheckHostname ? null : "nohost",
            s.SslCaCerts is { } ca ? $"ca={ca}" : null,
            s.SslCertFile is { } cert ? $"client={cert},{s.SslKeyFile}" : null,
        }.Where(p => p is not null));
        return string.Join('|', s.Source, target, s.Username ?? "-", s.Password ?? "-",
            s.Database?.ToString(CultureInfo.InvariantCulture) ?? "-", tls);
    }
}
