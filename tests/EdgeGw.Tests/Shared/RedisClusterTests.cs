using EdgeGw.Shared;
using EdgeGw.Tests.Infrastructure;
using StackExchange.Redis;
using static EdgeGw.Tests.Shared.RedisTopologyConfig;

namespace EdgeGw.Tests.Shared;

/// <summary>Redis Cluster: three real masters sharing the 16384 slots; EdgeGw is given one startup node and finds the rest.</summary>
public sealed class RedisClusterTests
{
    private const string Script = "redis.call('SET', KEYS[1], ARGV[1]) redis.call('SET', KEYS[2], ARGV[1]) return redis.call('MGET', KEYS[1], KEYS[2])";

    [Fact]
    public async Task HashTaggedKeys_OneScriptTouchesThemAllOnACluster()
    {
        using var cluster = RedisTopology.Cluster();
        var settings = Read("", ("REDIS_CLUSTER_NODES", $"[{{\"host\": \"127.0.0.1\", \"port\": \"{cluster.Port}\"}}]"));
        await using var connection = Open(settings);
        // The client learns the other nodes from CLUSTER NODES after connecting (AbortOnConnectFail=false returns first).
        for (var i = 0; i < 100 && connection.Multiplexer.GetEndPoints().Length < 3; i++)
            await Task.Delay(50);
        Assert.Equal(3, connection.Multiplexer.GetEndPoints().Length);
        RedisKey[] keys = [RedisKeys.Prefix + "rpm:key-a", RedisKeys.Prefix + "tpm:team-b"];
        var result = (RedisValue[])(await connection.Database.ScriptEvaluateAsync(Script, keys, ["7"]))!;
        Assert.Equal(["7", "7"], result.Select(v => (string?)v));
    }

    [Fact]
    public async Task KeysWithoutTheTag_CrossSlotRefusedByTheCluster()
    {
        using var cluster = RedisTopology.Cluster();
        var settings = Read($$"""
            litellm_settings:
              cache_params: { type: redis, redis_startup_nodes: [{ host: 127.0.0.1, port: "{{cluster.Port}}" }] }
            """);
        await using var connection = Open(settings);
        // Sent as plain arguments, so the client cannot refuse first: the server's own answer.
        var e = await Assert.ThrowsAsync<RedisServerException>(() =>
            connection.Database.ExecuteAsync("EVAL", Script, 2, "edgegw:rpm:key-a", "edgegw:tpm:team-b", "7"));
        Assert.StartsWith("CROSSSLOT", e.Message, StringComparison.Ordinal);
    }
}
