using System.Net;
using EdgeGw.Tests.Infrastructure;
using static EdgeGw.Tests.Postgres.PostgresReplicaTests;

namespace EdgeGw.Tests.Shared;

/// <summary>An admin's spend set on one replica, as the budgets shared in Redis see it.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SharedSpendSetTests(PostgresServer server, RedisServer redis) : IClassFixture<RedisServer>
{
    // Pub/sub to the other replica, then its reload of the key.
    private static readonly TimeSpan ChangeBound = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task AdminSetsSpendToZeroOnOneReplica_BothReplicasAdmitAgain()
    {
        redis.Flush();
        var db = server.CreateDatabase();
        var extra = $"router_settings:\n  redis_url: {redis.Url}\n  redis_timeout: 5";
        await using var a = await TestGateway.StartAsync(AdminClient.CheapModel, extra, databaseUrl: server.Url(db));
        await using var b = await TestGateway.StartAsync(AdminClient.CheapModel, extra, databaseUrl: server.Url(db));
        var key = await a.NewKeyAsync("""{"max_budget":0.02}""");
        Assert.Equal(HttpStatusCode.OK, await StatusWithinAsync(ChangeBound, HttpStatusCode.OK, () => b.ChatAsync(key)));

        // Spent up to the budget by both replicas together.
        var refused = false;
        for (var i = 0; i < 20 && !refused; i++)
        {
            using var fromA = await a.ChatAsync(key);
            using var fromB = await b.ChatAsync(key);
            refused = fromA.StatusCode != HttpStatusCode.OK && fromB.StatusCode != HttpStatusCode.OK;
        }
        Assert.True(refused, "the key never reached its budget");

        await a.PostAdminAsync("/key/update", $$"""{"key":"{{key}}","spend":0}""");

        using (var again = await a.ChatAsync(key))
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.OK, await StatusWithinAsync(ChangeBound, HttpStatusCode.OK, () => b.ChatAsync(key)));
    }
}
