using EdgeGw.Tests.Admin;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Postgres;

/// <summary><see cref="UiAdminApiTests"/> on LiteLLM's PostgreSQL tables: the same answers as on SQLite.</summary>
[Collection(PostgresCollection.Name)]
public sealed class UiAdminApiPostgresTests(PostgresServer server) : UiAdminApiTests
{
    protected override Task<TestGateway> StartAsync(string models, FakeTime time) =>
        TestGateway.StartAsync(models, time: time, databaseUrl: server.Url(server.CreateDatabase()));

    [Fact]
    public async Task SpendLogsDisabled_ActivityStillCountsFromLiteLlmsDailyTables()
    {
        var time = new FakeTime(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, "  disable_spend_logs: true", time: time, databaseUrl: server.Url(server.CreateDatabase()));
        await gateway.PostAdminAsync("/team/new", """{"team_id":"t-d","team_alias":"Delta"}""");
        var key = await gateway.NewKeyAsync("""{"team_id":"t-d","user_id":"dana"}""");
        using (var response = await gateway.ChatAsync(key))
            Assert.True(response.IsSuccessStatusCode);

        var logs = await gateway.GetAdminAsync("/spend/logs/ui?start_date=2026-03-01&end_date=2026-03-01");
        var users = await gateway.GetAdminAsync("/user/daily/activity?start_date=2026-03-01&end_date=2026-03-01");
        var teams = await gateway.GetAdminAsync("/team/daily/activity?start_date=2026-03-01&end_date=2026-03-01&team_ids=t-d");

        Assert.Equal(0, logs.GetProperty("total").GetInt32());
        var day = Assert.Single(users.GetProperty("results").EnumerateArray());
        Assert.Equal(1, day.GetProperty("breakdown").GetProperty("entities").GetProperty("dana").GetProperty("metrics").GetProperty("api_requests").GetInt32());
        Assert.Equal(AdminClient.ChatCost, users.GetProperty("metadata").GetProperty("total_spend").GetDecimal());
        Assert.Equal("Delta", teams.GetProperty("results")[0].GetProperty("breakdown").GetProperty("entities").GetProperty("t-d").GetProperty("metadata").GetProperty("team_alias").GetString());
    }
}
