using EdgeGw.Tests.Infrastructure;
using EdgeGw.Tests.Ops;
using Microsoft.Extensions.Logging;
using static EdgeGw.Tests.Shared.RedisTopologyConfig;

namespace EdgeGw.Tests.Shared;

/// <summary>A server with <c>requirepass</c>: the password reaches it from each LiteLLM spelling, and never a log line.</summary>
public sealed class RedisPasswordTests
{
    [Fact]
    public async Task WrongPasswordInUrl_NotConnectedAndNeverLogged()
    {
        using var redis = new RedisServer("--requirepass", "right-pw");
        var log = new CapturedLog();
        var settings = Read("", ("REDIS_URL", $"redis://:wrong-s3cret@127.0.0.1:{redis.Port}"));
        await using (var connection = Open(settings, log.CreateLogger("EdgeGw.Redis")))
            Assert.False(connection.IsConnected);
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Error);
        Assert.DoesNotContain(log.Entries, e => e.Message.Contains("wrong-s3cret", StringComparison.Ordinal)
            || e.State.Values.Any(v => v?.ToString()?.Contains("wrong-s3cret", StringComparison.Ordinal) == true));
    }

    [Theory]
    [InlineData("router_settings: { redis_host: 127.0.0.1, redis_port: PORT, redis_password: os.environ/PW }")]
    [InlineData("litellm_settings: { cache_params: { type: redis, host: 127.0.0.1, port: PORT } }")]
    [InlineData("general_settings: { master_key: sk-test, coordination_redis: { url: 'redis://127.0.0.1:PORT' } }")]
    public async Task PasswordFromConfigOrEnvironment_Authenticates(string yaml)
    {
        using var redis = new RedisServer("--requirepass", "right-pw");
        // The first spelling takes PW through os.environ/; the others fall back to REDIS_PASSWORD, as LiteLLM merges it.
        var settings = Read(yaml.Replace("PORT", redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal),
            ("PW", "right-pw"), ("REDIS_PASSWORD", "right-pw"));
        await using var connection = Open(settings);
        Assert.True(connection.IsConnected);
        await connection.Database.PingAsync();
    }
}
