using EdgeGw.Config;
using EdgeGw.Shared;
using EdgeGw.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGw.Tests.Shared;

[Collection(RedisCollection.Name)]
public sealed class RedisConnectionTests(RedisServer redis)
{
    [Fact]
    public async Task RouterSettingsRedisUrl_ConnectsToThatServer()
    {
        redis.Flush();
        var config = ConfigLoader.Parse($$"""
            general_settings: { master_key: sk-test }
            router_settings: { redis_url: "{{redis.Url}}" }
            """, _ => null);
        await using var connection = RedisConnection.Open(config.Redis!, NullLogger.Instance);
        await connection.Database.StringSetAsync("probe", "1");
        Assert.Equal("1", (string?)redis.Database.StringGet("probe"));
        Assert.Empty(config.IgnoredKeys);
        Assert.Empty(config.Deferred);
    }

    [Fact]
    public async Task RedisDownAtStart_OpensAndConnectsWhenItReturns()
    {
        redis.Shutdown();
        try
        {
            var settings = new RedisSettings { Source = "test", Host = "127.0.0.1", Port = redis.Port };
            await using var connection = RedisConnection.Open(settings, NullLogger.Instance);
            Assert.False(connection.IsConnected);
            redis.Restart();
            for (var i = 0; i < 100 && !connection.IsConnected; i++)
                await Task.Delay(100);
            Assert.True(connection.IsConnected);
        }
        finally
        {
            redis.Restart();
        }
    }

    [Fact]
    public void EnvironmentHostAndPort_ChooseRedis()
    {
        var env = new Dictionary<string, string> { ["REDIS_HOST"] = "10.1.2.3", ["REDIS_PORT"] = "6380", ["REDIS_PASSWORD"] = "pw" };
        var config = ConfigLoader.Parse("general_settings: { master_key: sk-test }", n => env.GetValueOrDefault(n));
        Assert.Equal(("REDIS_HOST", "10.1.2.3", 6380, "pw"), (config.Redis!.Source, config.Redis.Host, config.Redis.Port, config.Redis.Password));
    }
}
