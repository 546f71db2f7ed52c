using EdgeGw.Tests.Infrastructure;
using EdgeGw.Tests.Ops;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using static EdgeGw.Tests.Shared.RedisTopologyConfig;

namespace EdgeGw.Tests.Shared;

/// <summary>Redis Sentinel: a real master and a real Sentinel (<c>redis-server --sentinel</c>) watching it.</summary>
public sealed class RedisSentinelTests
{
    [Fact]
    public async Task SentinelNodesAndServiceName_CommandsReachTheMaster()
    {
        using var redis = RedisTopology.Sentinel(masterPassword: "master-pw", sentinelPassword: "sentinel-pw");
        var settings = Read($$"""
            litellm_settings:
              cache_params:
                type: redis
                service_name: {{RedisTopology.ServiceName}}
                sentinel_nodes: [["127.0.0.1", {{redis.SentinelPort}}]]
                sentinel_password: os.environ/SENTINEL_PW
                password: master-pw
            """, ("SENTINEL_PW", "sentinel-pw"));
        await using var connection = Open(settings);
        await connection.Database.StringSetAsync("sentinel-probe", "via-sentinel");
        Assert.Equal("via-sentinel", RedisTopology.RedisCli(["-p", redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--no-auth-warning", "-a", "master-pw", "get", "sentinel-probe"]).Trim());
    }

    [Fact]
    public async Task OnlySentinelPassword_UsedForTheMasterToo()
    {
        using var redis = RedisTopology.Sentinel(masterPassword: "shared-pw", sentinelPassword: "shared-pw");
        var settings = Read("", ("REDIS_SENTINEL_NODES", $"[[\"127.0.0.1\", {redis.SentinelPort}]]"),
            ("REDIS_SERVICE_NAME", RedisTopology.ServiceName), ("REDIS_SENTINEL_PASSWORD", "shared-pw"));
        await using var connection = Open(settings);
        Assert.Equal(1, await connection.Database.StringIncrementAsync("sentinel-counter"));
    }

    [Theory]
    [InlineData("othermaster", true)]
    [InlineData("mymaster", false)]
    public async Task NoMasterAtStart_GatewayStartsAndLogsWithoutPassword(string serviceName, bool sentinelUp)
    {
        using var redis = RedisTopology.Sentinel(sentinelPassword: "s3cret-pw");
        var port = sentinelUp ? redis.SentinelPort : RedisProcess.FreePort();
        var log = new CapturedLog();
        var settings = Read($$"""
            litellm_settings:
              cache_params: { type: redis, service_name: {{serviceName}}, sentinel_nodes: [["127.0.0.1", {{port}}]], sentinel_password: s3cret-pw }
            """);
        await using var connection = Open(settings, log.CreateLogger("EdgeGw.Redis"));
        Assert.False(connection.IsConnected);
        Assert.Contains(log.Entries, entry => entry.Level == LogLevel.Error);
        Assert.DoesNotContain(log.Entries, entry => entry.Message.Contains("s3cret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SentinelDownAtStart_ConnectsOnceItAnswers()
    {
        using var master = new RedisServer();
        var port = RedisProcess.FreePort();
        var settings = Read("", ("REDIS_SENTINEL_NODES", $"[[\"127.0.0.1\", {port}]]"), ("REDIS_SERVICE_NAME", "late"));
        await using var connection = Open(settings);
        Assert.False(connection.IsConnected);
        var folder = Directory.CreateTempSubdirectory("edgegw-sentinel-").FullName;
        try
        {
            var config = Path.Combine(folder, "sentinel.conf");
            File.WriteAllLines(config, [$"port {port}", $"sentinel monitor late 127.0.0.1 {master.Port} 1"]);
            using var sentinel = new RedisProcess(folder, port, ["--sentinel"], "+monitor master", configFile: config);
            for (var i = 0; i < 300 && !connection.IsConnected; i++)
                await Task.Delay(100);
            Assert.True(connection.IsConnected);
            await connection.Database.StringSetAsync("late-probe", "1");
            Assert.Equal("1", (string?)master.Database.StringGet("late-probe"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Failover_WritesFollowTheNewMaster()
    {
        using var redis = RedisTopology.Sentinel(withReplica: true);
        var settings = Read($$"""
            general_settings:
              master_key: sk-test
              coordination_redis: { service_name: {{RedisTopology.ServiceName}}, sentinel_nodes: [["127.0.0.1", {{redis.SentinelPort}}]] }
            """);
        await using var connection = Open(settings);
        await connection.Database.StringSetAsync("before", "1");
        // The Sentinel takes a replica as promotable once it has its INFO (NOGOODSLAVE until then).
        var failover = "";
        for (var i = 0; i < 150 && !failover.StartsWith("OK", StringComparison.Ordinal); i++)
        {
            failover = RedisTopology.RedisCli(["-p", Port(redis.SentinelPort), "sentinel", "failover", RedisTopology.ServiceName]);
            if (!failover.StartsWith("OK", StringComparison.Ordinal))
                await Task.Delay(200);
        }
        Assert.StartsWith("OK", failover, StringComparison.Ordinal);
        var written = false;
        for (var i = 0; i < 300 && !written; i++)
        {
            await Task.Delay(100);
            try
            {
                written = RedisTopology.RedisCli(["-p", Port(redis.ReplicaPort), "role"]).StartsWith("master", StringComparison.Ordinal)
                    && await connection.Database.StringSetAsync("after", "2")
                    && RedisTopology.RedisCli(["-p", Port(redis.ReplicaPort), "get", "after"]).Trim() == "2";
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // Between the old master stepping down and the switch: a write may be refused (READONLY) or time out
                // (RedisTimeoutException is a TimeoutException, not a RedisException).
            }
        }
        Assert.True(written, "after the failover, writes did not reach the promoted replica within 30 s");
    }

    private static string Port(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
