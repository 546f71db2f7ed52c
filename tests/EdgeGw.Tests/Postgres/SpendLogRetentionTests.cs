using EdgeGw.Storage;
using EdgeGw.Storage.Postgres;
using EdgeGw.Tests.Infrastructure;
using Npgsql;
using static EdgeGw.Tests.Postgres.PostgresSpendStoreTests;

namespace EdgeGw.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public class SpendLogRetentionTests(PostgresServer server)
{
    private NpgsqlDataSource LiteLlmSource(out string db)
    {
        db = server.CreateDatabase();
        server.Execute(db, LiteLlmSchemaTests.FixtureSql);
        Assert.True(DatabaseUrl.TryParse(server.Url(db), out var url, out var error), error);
        return PostgresStore.Build(url);
    }

    [Fact]
    public async Task RowsOlderThanThePeriod_Deleted_NewerRowsAndDailyAggregatesStay()
    {
        await using var source = LiteLlmSource(out var db);
        new PostgresSpendStore(source).WriteBatch(
            [.. Enumerable.Range(0, 5).Select(i => (SpendWork)Row($"old-{i}", 1_000_000, start: Start.AddDays(-10))),
             Row("new", 1_000_000)], () => true);

        var deleted = await SpendLogRetention.DeleteOlderThanAsync(source, Start.AddDays(-7), batchSize: 2);

        Assert.Equal(5, deleted);
        Assert.Equal("new", server.Scalar(db, """SELECT string_agg(request_id, ',') FROM "LiteLLM_SpendLogs" """));
        Assert.Equal(6L, server.Scalar(db, """SELECT sum(api_requests)::bigint FROM "LiteLLM_DailyUserSpend" """));
    }

    [Fact]
    public async Task ARun_IsBoundedByItsBatches()
    {
        await using var source = LiteLlmSource(out var db);
        new PostgresSpendStore(source).WriteBatch(
            [.. Enumerable.Range(0, 5).Select(i => (SpendWork)Row($"old-{i}", 1_000_000, start: Start.AddDays(-10)))], () => true);

        var deleted = await SpendLogRetention.DeleteOlderThanAsync(source, Start, batchSize: 2, maxBatches: 1);

        Assert.Equal(2, deleted);
        Assert.Equal(3L, server.Scalar(db, """SELECT count(*) FROM "LiteLLM_SpendLogs" """));
    }
}
