using System.Collections.Concurrent;
using System.Net;
using EdgeGw.Shared;
using EdgeGw.Tests.Infrastructure;
using Npgsql;
using static EdgeGw.Tests.Postgres.PostgresReplicaTests;
using StackExchange.Redis;

namespace EdgeGw.Tests.Shared;

/// <summary>Two gateways on one PostgreSQL database and one Redis: admin changes travel over Redis pub/sub, not NOTIFY.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RedisAccountChangesTests(PostgresServer server, RedisServer redis) : IClassFixture<RedisServer>
{
    // Publish, then one row's reload on the other replica.
    private static readonly TimeSpan ChangeBound = TimeSpan.FromSeconds(1);
    // The multiplexer's reconnect (its heartbeat is a second), then a full reload.
    private static readonly TimeSpan ReconnectBound = TimeSpan.FromSeconds(10);

    private static string Sha256(string key) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));

    private static string ChatFor(string model) => $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""";

    private async Task<(TestGateway A, TestGateway B, string Database)> TwoReplicasAsync()
    {
        redis.Flush();
        var db = server.CreateDatabase();
        var extra = $"router_settings:\n  redis_url: {redis.Url}";
        var a = await TestGateway.StartAsync(AdminClient.CheapModel, extra, databaseUrl: server.Url(db));
        var b = await TestGateway.StartAsync(AdminClient.CheapModel, extra, databaseUrl: server.Url(db));
        return (a, b, db);
    }

    private static async Task<string> KeyServedByBothAsync(TestGateway a, TestGateway b, string json = "{}")
    {
        var key = await a.NewKeyAsync(json);
        Assert.Equal(HttpStatusCode.OK, await StatusWithinAsync(ChangeBound, HttpStatusCode.OK, () => b.ChatAsync(key, ChatFor("cheap"))));
        return key;
    }

    [Fact]
    public async Task KeyBlockedOnOneReplica_RefusedByTheOtherOverRedisNotNotify()
    {
        var (a, b, db) = await TwoReplicasAsync();
        await using var _ = a;
        await using var __ = b;
        Assert.IsType<RedisAccountChanges>(a.Runtime.Data.AccountChanges);
        Assert.IsType<RedisAccountChanges>(b.Runtime.Data.AccountChanges);
        // Listen where the PostgreSQL transport would speak, and on the Redis channel.
        await using var listener = new NpgsqlConnection(server.ConnectionString(db));
        await listener.OpenAsync();
        var notified = new ConcurrentQueue<string>();
        listener.Notification += (_, e) => notified.Enqueue(e.Payload);
        await using (var listen = new NpgsqlCommand("LISTEN edgegw_accounts", listener))
            await listen.ExecuteNonQueryAsync();
        using var watcher = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}");
        var published = new ConcurrentQueue<string>();
        await watcher.GetSubscriber().SubscribeAsync(RedisChannel.Literal("edgegw:accounts"), (_, m) => published.Enqueue(m!));
        var key = await KeyServedByBothAsync(a, b);

        await a.PostAdminAsync("/key/block", $$"""{"key":"{{key}}"}""");

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithinAsync(ChangeBound, HttpStatusCode.Unauthorized, () => b.ChatAsync(key, ChatFor("cheap"))));
        Assert.Contains("key:" + Sha256(key), published);
        Assert.False(await listener.WaitAsync(TimeSpan.FromMilliseconds(200)));
        Assert.Empty(notified);
    }

    [Fact]
    public async Task TeamBudgetLoweredOnOneReplica_RefusesTheTeamsKeysOnTheOther()
    {
        var (a, b, _) = await TwoReplicasAsync();
        await using var ownA = a;
        await using var ownB = b;
        await a.PostAdminAsync("/team/new", """{"team_id":"team-r","max_budget":10}""");
        var key = await KeyServedByBothAsync(a, b, """{"team_id":"team-r"}""");

        // B spent 0.014 of the team's budget; A lowers the budget below that.
        await a.PostAdminAsync("/team/update", """{"team_id":"team-r","max_budget":0.01}""");

        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusWithinAsync(ChangeBound, HttpStatusCode.TooManyRequests, () => b.ChatAsync(key, ChatFor("cheap"))));
    }

    [Fact]
    public async Task RedisDownWhenReplicasStart_ChangesFlowOnceItIsUp()
    {
        redis.Flush();
        var db = server.CreateDatabase();
        var extra = $"router_settings:\n  redis_url: {redis.Url}";
        redis.Shutdown();
        TestGateway a, b;
        try
        {
            a = await TestGateway.StartAsync(AdminClient.CheapModel, extra, databaseUrl: server.Url(db));
            b = await TestGateway.StartAsync(AdminClient.CheapModel, extra, databaseUrl: server.Url(db));
        }
        finally
        {
            redis.Restart();
        }
        await using var ownA = a;
        await using var ownB = b;
        var key = await a.NewKeyAsync();
        Assert.Equal(HttpStatusCode.OK, await StatusWithinAsync(ReconnectBound, HttpStatusCode.OK, () => b.ChatAsync(key, ChatFor("cheap"))));
        // Once both are subscribed, a change arrives within the usual bound.
        var blocked = await KeyServedByBothAsync(a, b);

        await a.PostAdminAsync("/key/block", $$"""{"key":"{{blocked}}"}""");

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithinAsync(ChangeBound, HttpStatusCode.Unauthorized, () => b.ChatAsync(blocked, ChatFor("cheap"))));
    }

    [Fact]
    public async Task KeyBlockedWhileRedisWasDown_RefusedByTheOtherAfterItReturns()
    {
        var (a, b, _) = await TwoReplicasAsync();
        await using var ownA = a;
        await using var ownB = b;
        var key = await KeyServedByBothAsync(a, b);
        redis.Shutdown();
        try
        {
            // The write stands; its announcement is lost with Redis.
            await a.PostAdminAsync("/key/block", $$"""{"key":"{{key}}"}""");
            using (var stale = await b.ChatAsync(key, ChatFor("cheap")))
                Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        }
        finally
        {
            redis.Restart();
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithinAsync(ReconnectBound, HttpStatusCode.Unauthorized, () => b.ChatAsync(key, ChatFor("cheap"))));
    }
}
