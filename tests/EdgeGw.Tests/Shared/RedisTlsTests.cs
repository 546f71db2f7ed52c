using EdgeGw.Config;
using EdgeGw.Shared;
using EdgeGw.Tests.Infrastructure;
using StackExchange.Redis;
using static EdgeGw.Tests.Shared.RedisTopologyConfig;

namespace EdgeGw.Tests.Shared;

/// <summary>TLS against a real redis-server (<c>--tls-port</c>) whose certificate comes from a CA the system does not trust.</summary>
public sealed class RedisTlsTests
{
    [Fact]
    public async Task RedissUrlWithSslCaCerts_ConnectsAndRunsCommands()
    {
        using var redis = RedisTopology.Tls();
        var settings = Read($$"""
            litellm_settings:
              cache_params: { type: redis, url: "rediss://127.0.0.1:{{redis.Port}}", ssl_ca_certs: "{{redis.Ca.CaFile}}" }
            """);
        await using var connection = Open(settings);
        await connection.Database.StringSetAsync("tls-probe", "1");
        Assert.Equal("1", (string?)await connection.Database.StringGetAsync("tls-probe"));
    }

    [Fact]
    public async Task RedisSslEnvironmentWithCaCerts_Connects()
    {
        using var redis = RedisTopology.Tls();
        var settings = Read("", ("REDIS_HOST", "127.0.0.1"), ("REDIS_PORT", redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("REDIS_SSL", "True"), ("REDIS_SSL_CA_CERTS", redis.Ca.CaFile));
        await using var connection = Open(settings);
        Assert.True(connection.IsConnected);
        await connection.Database.PingAsync();
    }

    [Fact]
    public async Task CertificateFromUnknownCa_NotConnected()
    {
        using var redis = RedisTopology.Tls();
        var settings = Read($"router_settings: {{ redis_url: \"rediss://127.0.0.1:{redis.Port}\" }}");
        await using var connection = Open(settings);
        Assert.False(connection.IsConnected);
        await Assert.ThrowsAsync<RedisConnectionException>(() => connection.Database.PingAsync());
    }

    [Fact]
    public async Task SslCertReqsNull_AcceptsAnyCertificate()
    {
        using var redis = RedisTopology.Tls(serverNames: "redis.internal");
        var settings = Read($$"""
            litellm_settings:
              cache_params: { type: redis, host: 127.0.0.1, port: {{redis.Port}}, ssl: true, ssl_cert_reqs: null }
            """);
        await using var connection = Open(settings);
        await connection.Database.PingAsync();
    }

    [Fact]
    public async Task CertificateForAnotherName_RefusedUnlessSslCheckHostnameFalse()
    {
        using var redis = RedisTopology.Tls(serverNames: "redis.internal");
        var yaml = $$"""
            litellm_settings:
              cache_params: { type: redis, host: 127.0.0.1, port: {{redis.Port}}, ssl: true, ssl_ca_certs: "{{redis.Ca.CaFile}}" }
            """;
        await using (var strict = Open(Read(yaml)))
            Assert.False(strict.IsConnected);
        await using var lenient = Open(Read(yaml, ("REDIS_SSL_CHECK_HOSTNAME", "false")));
        await lenient.Database.PingAsync();
    }

    [Fact]
    public async Task ServerRequiringClientCertificate_ConnectsWithSslCertfileAndKeyfile()
    {
        using var redis = RedisTopology.Tls(requireClientCertificate: true);
        var (cert, key) = redis.Ca.Issue("client", client: true, "edgegw");
        var url = $"rediss://127.0.0.1:{redis.Port}?ssl_ca_certs={Uri.EscapeDataString(redis.Ca.CaFile)}";
        await using (var without = Open(Read($"router_settings: {{ redis_url: \"{url}\" }}")))
            Assert.False(without.IsConnected);
        await using var with = Open(Read($$"""
            router_settings:
              redis_url: "{{url}}"
              cache_kwargs: { ssl_certfile: "{{cert}}", ssl_keyfile: "{{key}}" }
            """));
        await with.Database.PingAsync();
    }

    [Fact]
    public void UnreadableCaFile_StartFailsNamingTheKey()
    {
        var settings = new RedisSettings { Source = "t", Host = "127.0.0.1", Ssl = true, SslCaCerts = "/nonexistent/ca.pem" };
        var e = Assert.Throws<ConfigException>(() => RedisOptions.For(settings));
        Assert.Equal("ssl_ca_certs", e.KeyPath);
    }
}
