using System.Diagnostics;
using System.Net;
using EdgeGw.Storage;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Postgres;

/// <summary>Two gateways on one PostgreSQL database: what an admin does or a request spends on one is seen by the other.</summary>
[Collection(PostgresCollection.Name)]
public class PostgresReplicaTests(PostgresServer server)
{
    // The promise: an admin change reaches the other replica within 1 s (NOTIFY, then one row's reload).
    private static readonly TimeSpan ChangeBound = TimeSpan.FromSeconds(1);
    // Spend: the writer's batch, then the other replica's once-a-second read of the spend columns.
    private static readonly TimeSpan SpendBound = TimeSpan.FromSeconds(3);

    private static string Sha256(string key) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));

    private static string ChatFor(string model) => $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""";

    private async Task<Replicas> TwoReplicasAsync()
    {
        var url = server.Url(server.CreateDatabase());
        var a = await TestGateway.StartAsync(AdminClient.CheapModel, databaseUrl: url);
        return new Replicas(a, await TestGateway.StartAsync(AdminClient.CheapModel, databaseUrl: url));
    }

    private sealed record Replicas(TestGateway A, TestGateway B) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await A.DisposeAsync();
            await B.DisposeAsync();
        }

        /// <summary>A key made on A, once B serves it.</summary>
        public async Task<string> KeyServedByBothAsync(string json = "{}")
        {
            var key = await A.NewKeyAsync(json);
            Assert.Equal(HttpStatusCode.OK, await StatusWithinAsync(ChangeBound, HttpStatusCode.OK, () => B.ChatAsync(key, ChatFor("cheap"))));
            return key;
        }
    }

    /// <summary>Polls until the request answers <paramref name="status"/> or the bound passes; returns the last answer's status.</summary>
    internal static async Task<HttpStatusCode> StatusWithinAsync(TimeSpan bound, HttpStatusCode status, Func<Task<HttpResponseMessage>> request)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await request();
            if (response.StatusCode == status || clock.Elapsed > bound)
                return response.StatusCode;
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task KeyCreatedOnOneReplica_AuthenticatesOnTheOtherWithinASecond()
    {
        await using var replicas = await TwoReplicasAsync();

        await replicas.KeyServedByBothAsync("""{"models":["cheap"]}""");
    }

    [Fact]
    public async Task KeyDeletedOnOneReplica_IsRefusedByTheOtherWithinASecond()
    {
        await using var replicas = await TwoReplicasAsync();
        var (a, b) = replicas;
        var key = await replicas.KeyServedByBothAsync();

        await a.PostAdminAsync("/key/delete", $$"""{"keys":["{{key}}"]}""");

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithinAsync(ChangeBound, HttpStatusCode.Unauthorized, () => b.ChatAsync(key, ChatFor("cheap"))));
    }

    [Fact]
    public async Task KeyBlockedOnOneReplica_IsRefusedByTheOtherWithinASecond()
    {
        await using var replicas = await TwoReplicasAsync();
        var (a, b) = replicas;
        var key = await replicas.KeyServedByBothAsync();

        await a.PostAdminAsync("/key/block", $$"""{"key":"{{key}}"}""");

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithinAsync(ChangeBound, HttpStatusCode.Unauthorized, () => b.ChatAsync(key, ChatFor("cheap"))));
    }

    [Fact]
    public async Task TeamBudgetLoweredOnOneReplica_RefusesTheTeamsKeysOnTheOther()
    {
        await using var replicas = await TwoReplicasAsync();
        var (a, b) = replicas;
        await a.PostAdminAsync("/team/new", """{"team_id":"team-r","max_budget":10}""");
        var key = await replicas.KeyServedByBothAsync("""{"team_id":"team-r"}""");

        // B spent 0.014 of the team's budget; A lowers the budget below that.
        await a.PostAdminAsync("/team/update", """{"team_id":"team-r","max_budget":0.01}""");

        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusWithinAsync(ChangeBound, HttpStatusCode.TooManyRequests, () => b.ChatAsync(key, ChatFor("cheap"))));
    }

    [Fact]
    public async Task SpendMadeOnOneReplica_ShowsInTheOthersKeyInfo()
    {
        await using var replicas = await TwoReplicasAsync();
        var (a, b) = replicas;
        var key = await replicas.KeyServedByBothAsync();

        using (var spent = await a.ChatAsync(key, ChatFor("cheap")))
            Assert.Equal(HttpStatusCode.OK, spent.StatusCode);

        // B's own request and A's: both in B's view once A's batch is written and B has read it.
        var clock = Stopwatch.StartNew();
        var seen = await b.KeySpendAsync(key);
        while (seen < 2 * AdminClient.ChatCost && clock.Elapsed < SpendBound)
        {
            await Task.Delay(50);
            seen = await b.KeySpendAsync(key);
        }
        Assert.Equal(2 * AdminClient.ChatCost, seen);
    }

    [Fact]
    public async Task ListenConnectionDropped_KeysWrittenMeanwhileAreServedAfterTheReconnect()
    {
        var db = server.CreateDatabase();
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, databaseUrl: server.Url(db));
        const string key = "sk-written-while-away-0001";

        // One transaction: the key lands (no NOTIFY, as LiteLLM writes it) and the gateway's connections are cut before it commits,
        // so the listener was away for the write and only its reload after reconnecting can find the key.
        server.Execute(db, $$"""
            INSERT INTO "LiteLLM_VerificationToken" (token, key_name, models, spend, created_at, updated_at)
              VALUES ('{{Sha256(key)}}', 'sk-...0001', '{}', 0, now(), now());
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid();
            """);

        Assert.Equal(HttpStatusCode.OK, await StatusWithinAsync(TimeSpan.FromSeconds(5), HttpStatusCode.OK, () => gateway.ChatAsync(key, ChatFor("cheap"))));
    }

    [Fact]
    public async Task SpendResetByAnAdmin_IsNotTakenBackFromTheDatabasesOlderValue()
    {
        var db = server.CreateDatabase();
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, databaseUrl: server.Url(db));
        var key = await gateway.NewKeyAsync();
        using (var spent = await gateway.ChatAsync(key, ChatFor("cheap")))
            Assert.Equal(HttpStatusCode.OK, spent.StatusCode);
        // The request's spend is in the database: the value a reload would take back.
        var stored = $"""SELECT spend FROM "LiteLLM_VerificationToken" WHERE token = '{Sha256(key)}'""";
        for (var i = 0; i < 100 && Convert.ToDouble(server.Scalar(db, stored), System.Globalization.CultureInfo.InvariantCulture) == 0; i++)
            await Task.Delay(20);

        await gateway.PostAdminAsync("/key/update", $$"""{"key":"{{key}}","spend":0}""");
        // The change's own notification and two spend refreshes read the database meanwhile.
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        Assert.Equal(0m, await gateway.KeySpendAsync(key));
    }

    [Fact]
    public async Task SpendSetByAnAdminOnOneReplica_LowersTheOthersCachedSpend()
    {
        await using var replicas = await TwoReplicasAsync();
        var (a, b) = replicas;
        var key = await replicas.KeyServedByBothAsync();
        var clock = Stopwatch.StartNew();
        while (await b.KeySpendAsync(key) < AdminClient.ChatCost && clock.Elapsed < SpendBound)
            await Task.Delay(50);

        await a.PostAdminAsync("/key/update", $$"""{"key":"{{key}}","spend":0}""");

        // B only ever raises spend from the database: the set reaches it as a change, within a second.
        clock.Restart();
        var seen = await b.KeySpendAsync(key);
        while (seen != 0m && clock.Elapsed < TimeSpan.FromSeconds(1))
        {
            await Task.Delay(20);
            seen = await b.KeySpendAsync(key);
        }
        Assert.Equal(0m, seen);
        // Nor is it taken back from the database's older value by B's refreshes meanwhile.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Equal(0m, await b.KeySpendAsync(key));
    }

    [Theory]
    [InlineData("key:ab12", null)]
    [InlineData("spend=0:team:t:1", 0L)]
    [InlineData("spend=-5:user:alice", -5L)]
    [InlineData("model:5d3c7a0e-8f51-4c2b-9e0d-1a2b3c4d5e6f", null)]
    public void ChangePayload_RoundTrips(string payload, long? spendSet)
    {
        Assert.True(AccountChange.TryParse(payload, out var change));
        Assert.Equal(spendSet, change.SpendSetNanos);
        Assert.Equal(payload, change.ToPayload());
    }
}
