using System.Net;
using EdgeGw.Storage;
using EdgeGw.Tests.Infrastructure;
using static EdgeGw.Tests.Models.RunTimeModels;
using static EdgeGw.Tests.Postgres.PostgresReplicaTests;

namespace EdgeGw.Tests.Models;

/// <summary>Two gateways on one PostgreSQL database: a model added or deleted through one joins or leaves the other's router (NOTIFY, or Redis when configured).</summary>
[Collection(PostgresCollection.Name)]
public sealed class ModelReplicaTests(PostgresServer server, RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    // The promise: another replica serves a new model within 1 s.
    private static readonly TimeSpan ChangeBound = TimeSpan.FromSeconds(1);
    // A dropped listener's back-off (0.25 s) and reconnect, or Redis's multiplexer reconnect (its heartbeat is a second), then a full reload.
    private static readonly TimeSpan ReconnectBound = TimeSpan.FromSeconds(10);

    private FakeUpstream _upstream = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        _upstream.RespondJson(Completion);
    }

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    private async Task AddedOnAServedByBThenDeletedOnARefusedByB(TestGateway a, TestGateway b)
    {
        using (var before = await ChatAsync(b))
            Assert.Equal(HttpStatusCode.BadRequest, before.StatusCode);

        await a.PostAdminAsync("/model/new", NewModel(_upstream));

        Assert.Equal(HttpStatusCode.OK, await StatusWithinAsync(ChangeBound, HttpStatusCode.OK, () => ChatAsync(b)));
        Assert.Equal("Bearer " + UpstreamKey, _upstream.LastRequest.Headers["authorization"]);

        await a.PostAdminAsync("/model/delete", """{"id":"m-1"}""");

        Assert.Equal(HttpStatusCode.BadRequest, await StatusWithinAsync(ChangeBound, HttpStatusCode.BadRequest, () => ChatAsync(b)));
    }

    [Fact]
    public async Task ModelAddedThenDeletedOnOneReplica_FollowedByTheOtherWithinASecond()
    {
        var url = server.Url(server.CreateDatabase());
        await using var a = await StartAsync(url);
        await using var b = await StartAsync(url);

        await AddedOnAServedByBThenDeletedOnARefusedByB(a, b);
    }

    [Fact]
    public async Task ModelAddedThenDeletedOnOneReplica_FollowedByTheOtherOverRedis()
    {
        redis.Flush();
        var url = server.Url(server.CreateDatabase());
        var viaRedis = $"router_settings:\n  redis_url: {redis.Url}\n";
        await using var a = await StartAsync(url, viaRedis);
        await using var b = await StartAsync(url, viaRedis);
        Assert.IsType<EdgeGw.Shared.RedisAccountChanges>(b.Runtime.Data.AccountChanges);

        await AddedOnAServedByBThenDeletedOnARefusedByB(a, b);
    }

    [Fact]
    public async Task ManyModelsAddedInABurst_AllServedByTheOther()
    {
        var url = server.Url(server.CreateDatabase());
        await using var a = await StartAsync(url);
        await using var b = await StartAsync(url);

        // Twenty changes in a row: the other replica coalesces them, and the last reload still sees every row.
        for (var i = 0; i < 20; i++)
            await a.PostAdminAsync("/model/new", NewModel(_upstream, $"m-{i}").Replace("added-gpt", $"added-{i}", StringComparison.Ordinal));

        for (var i = 0; i < 20; i++)
        {
            var chat = ChatToAdded.Replace("added-gpt", $"added-{i}", StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, await StatusWithinAsync(ChangeBound, HttpStatusCode.OK, () => b.PostJsonAsync("/v1/chat/completions", chat)));
        }
    }

    [Fact]
    public async Task ListenConnectionDropped_ModelWrittenMeanwhileIsServedAfterTheReconnect()
    {
        var db = server.CreateDatabase();
        await using var gateway = await StartAsync(server.Url(db),
            $"environment_variables:\n  LITELLM_SALT_KEY: sk-salt-1234\n  OPENAI_API_BASE: {_upstream.Url}/v1\n");

        // One transaction: the row lands as LiteLLM writes it (no NOTIFY) and the gateway's connections are cut before it commits,
        // so only the reload after the listener reconnects can find it.
        server.Execute(db, ModelManagementPostgresTests.LiteLlmRowSql("while-away-1", "added-gpt") + """
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid();
            """);

        Assert.Equal(HttpStatusCode.OK, await StatusWithinAsync(ReconnectBound, HttpStatusCode.OK, () => ChatAsync(gateway)));
        Assert.Equal("Bearer sk-proj-abc123", _upstream.LastRequest.Headers["authorization"]);
    }

    private static async Task QuietAsync(ModelReloads reloads)
    {
        var quiet = 0;
        for (var i = 0; i < 500 && quiet < 20; i++)
        {
            quiet = reloads.Idle ? quiet + 1 : 0;
            await Task.Delay(10);
        }
        Assert.True(quiet >= 20, "the replica's model reloads never settled");
    }

    [Fact]
    public async Task ModelAddedWhileRedisWasDown_ServedByTheOtherAfterItReturns()
    {
        redis.Flush();
        var url = server.Url(server.CreateDatabase());
        var viaRedis = $"router_settings:\n  redis_url: {redis.Url}\n";
        await using var a = await StartAsync(url, viaRedis);
        await using var b = await StartAsync(url, viaRedis);
        // A first model over Redis: B has subscribed and finished its start-up reload.
        await a.PostAdminAsync("/model/new", NewModel(_upstream, "m-0").Replace("added-gpt", "first-gpt", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, await StatusWithinAsync(ChangeBound, HttpStatusCode.OK,
            () => b.PostJsonAsync("/v1/chat/completions", ChatToAdded.Replace("added-gpt", "first-gpt", StringComparison.Ordinal))));
        redis.Shutdown();
        try
        {
            // B may have served the first model from a reload that ran before its announcement arrived (a loaded CI
            // box); that announcement's reload, run late, would find the model added below. With Redis down nothing
            // more can be heard: wait until B's reloads have been idle a while, then add the model.
            await QuietAsync(b.Runtime.Data.ModelReloads!);
            // The row stands; its announcement is lost with Redis.
            await a.PostAdminAsync("/model/new", NewModel(_upstream));
            using var stale = await ChatAsync(b);
            Assert.Equal(HttpStatusCode.BadRequest, stale.StatusCode);
        }
        finally
        {
            redis.Restart();
        }

        Assert.Equal(HttpStatusCode.OK, await StatusWithinAsync(ReconnectBound, HttpStatusCode.OK, () => ChatAsync(b)));
    }
}
