using System.Net;
using EdgeGw.Config;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Postgres;

/// <summary><c>maximum_spend_logs_retention_period</c> on both stores: old spend-log rows go, newer stay, spend totals stay.</summary>
[Collection(PostgresCollection.Name)]
public class SpendLogCleanupTests(PostgresServer server)
{
    private const string Retention = "  maximum_spend_logs_retention_period: 7d\n  maximum_spend_logs_retention_interval: 1h";

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task RetentionRun_DeletesOlderRowsKeepsNewerAndSpendTotals(string store)
    {
        var path = TestGateway.NewDatabasePath();
        var url = store == "postgresql" ? server.Url(server.CreateDatabase()) : null;
        var time = new FakeTime();
        try
        {
            string key;
            await using (var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, Retention, time, databasePath: path, databaseUrl: url))
            {
                key = await gateway.NewKeyAsync();
                using (var old = await gateway.ChatAsync(key))
                    Assert.Equal(HttpStatusCode.OK, old.StatusCode);
                time.Advance(TimeSpan.FromDays(8));
                using (var recent = await gateway.ChatAsync(key))
                    Assert.Equal(HttpStatusCode.OK, recent.StatusCode);
                await gateway.Runtime.Data.Writer.FlushAsync();
                Assert.Equal(2, (await gateway.GetAdminAsync("/spend/logs")).GetArrayLength());

                var general = gateway.Runtime.Current.Config.General;
                Assert.Equal((TimeSpan.FromDays(7), TimeSpan.FromHours(1)), (general.SpendLogsRetention, general.SpendLogsRetentionInterval));
                Assert.Equal(1, await gateway.Runtime.Data.LogCleanup.RunOnceAsync(general.SpendLogsRetention!.Value));
                Assert.Equal(0, await gateway.Runtime.Data.LogCleanup.RunOnceAsync(general.SpendLogsRetention!.Value));

                var row = Assert.Single((await gateway.GetAdminAsync("/spend/logs")).EnumerateArray());
                Assert.Equal(time.GetUtcNow().Date, row.GetProperty("startTime").GetDateTimeOffset().UtcDateTime.Date);
            }

            // The stored totals, read back by a fresh gateway: the deleted row's spend still counts.
            await using var restarted = await TestGateway.StartAsync(AdminClient.CheapModel, "", time, databasePath: path, databaseUrl: url);
            Assert.Equal(2 * AdminClient.ChatCost, await restarted.KeySpendAsync(key));
            Assert.Equal(1, (await restarted.GetAdminAsync("/spend/logs")).GetArrayLength());
        }
        finally
        {
            TestGateway.DeleteDatabase(path);
        }
    }

    [Fact]
    public async Task SqliteRetentionInSmallBatches_DeletesEveryOlderRowOnly()
    {
        var time = new FakeTime();
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, "", time);
        var key = await gateway.NewKeyAsync();
        for (var i = 0; i < 5; i++)
        {
            using var old = await gateway.ChatAsync(key);
            Assert.Equal(HttpStatusCode.OK, old.StatusCode);
        }
        time.Advance(TimeSpan.FromDays(2));
        using (var recent = await gateway.ChatAsync(key))
            Assert.Equal(HttpStatusCode.OK, recent.StatusCode);
        await gateway.Runtime.Data.Writer.FlushAsync();

        var retention = new EdgeGw.Storage.SqliteSpendLogRetention(gateway.Runtime.Data.Store!, batchSize: 2);
        Assert.Equal(5, await retention.DeleteOlderThanAsync(time.GetUtcNow() - TimeSpan.FromDays(1)));
        Assert.Equal(1, (await gateway.GetAdminAsync("/spend/logs")).GetArrayLength());
        Assert.Equal(6 * AdminClient.ChatCost, await gateway.KeySpendAsync(key));
    }

    [Fact]
    public async Task RetentionTimer_FiresEachIntervalAndDeletesRowsThatAged()
    {
        var time = new EdgeGw.Tests.Routing.ManualTime();
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, Retention, time);
        var key = await gateway.NewKeyAsync();
        using (var old = await gateway.ChatAsync(key))
            Assert.Equal(HttpStatusCode.OK, old.StatusCode);
        await gateway.Runtime.Data.Writer.FlushAsync();
        var store = gateway.Runtime.Data.Store!;
        await EdgeGw.Tests.Routing.RetryTests.WaitUntil(() => time.PendingTimers > 0); // the run at start is done, the next one waits
        Assert.Single(EdgeGw.Storage.SpendQueries.Page(store, 0, 10));

        time.Advance(TimeSpan.FromDays(8)); // the hourly run comes due, and finds the row 8 days old
        await EdgeGw.Tests.Routing.RetryTests.WaitUntil(() => EdgeGw.Storage.SpendQueries.Page(store, 0, 10).Count == 0);
        Assert.Equal(AdminClient.ChatCost, await gateway.KeySpendAsync(key));
        await EdgeGw.Tests.Routing.RetryTests.WaitUntil(() => time.PendingTimers > 0); // and waits for the next interval
    }

    [Theory]
    [InlineData("7d", 7 * 24)]
    [InlineData("24h", 24)]
    [InlineData("3600s", 1)]
    [InlineData("60m", 1)]
    public void RetentionPeriod_ParsesLiteLlmDurations(string text, int hours)
    {
        var config = ConfigLoader.Parse($"general_settings:\n  master_key: sk-m\n  maximum_spend_logs_retention_period: \"{text}\"\n", _ => null);
        Assert.Equal(TimeSpan.FromHours(hours), config.General.SpendLogsRetention);
        Assert.Null(config.General.SpendLogsRetentionInterval);
    }

    [Fact]
    public void RetentionPeriodNotADuration_IsRefusedNamingTheKey()
    {
        var problem = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("general_settings:\n  master_key: sk-m\n  maximum_spend_logs_retention_period: a week\n", _ => null));
        Assert.Contains("general_settings.maximum_spend_logs_retention_period", problem.Message, StringComparison.Ordinal);
        Assert.Contains("'a week'", problem.Message, StringComparison.Ordinal);
    }
}
