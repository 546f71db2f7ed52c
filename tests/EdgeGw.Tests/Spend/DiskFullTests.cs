using System.Net;
using System.Text.Json;
using EdgeGw.Storage;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Spend;

/// <summary>
/// A full disk (SQLite's <c>max_page_count</c> capped at the file's size: every write that needs a
/// new page fails with SQLITE_FULL, as on a full filesystem) must never unbill: rows wait in memory
/// and land when it recovers, past the bound requests are refused, admin writes answer 503.
/// </summary>
public sealed class DiskFullTests
{
    private static void FillDisk(TestGateway gateway) => Pragma(gateway, "PRAGMA max_page_count = 1");

    private static void FreeDisk(TestGateway gateway) => Pragma(gateway, "PRAGMA max_page_count = 1073741823");

    private static void Pragma(TestGateway gateway, string sql) => gateway.Runtime.Data.Store!.Run(c =>
    {
        using var command = c.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    });

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        for (var i = 0; i < 200 && !condition(); i++)
            await Task.Delay(50);
        Assert.True(condition(), what);
    }

    private static async Task<(int Rows, decimal Sum)> SpendLogsAsync(TestGateway gateway, string key)
    {
        var logs = await gateway.GetAdminAsync($"/spend/logs?api_key={Uri.EscapeDataString(key)}");
        return (logs.GetArrayLength(), logs.EnumerateArray().Sum(r => r.GetProperty("spend").GetDecimal()));
    }

    [Fact]
    public async Task DiskFull_RowsWaitInMemoryAndAllLandWhenItFrees()
    {
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel);
        var key = await gateway.NewKeyAsync();
        var writer = gateway.Runtime.Data.Writer;
        FillDisk(gateway);
        for (var i = 0; i < 105; i++)
        {
            using var response = await gateway.ChatAsync(key);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        await WaitUntil(() => writer.Failing, "the spend writer never saw the full disk");
        Assert.True(writer.QueuedRows > 0);
        // A report now would miss the queued rows: it says so instead of answering short.
        using (var report = await gateway.Client.GetAsync("/spend/logs"))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, report.StatusCode);
        using (var ready = await gateway.Client.GetAsync("/health/readiness"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Equal("unavailable", JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("db").GetString());
        }

        FreeDisk(gateway);
        await WaitUntil(() => writer.QueuedRows == 0 && !writer.Failing, "the queued rows never landed");
        var (rows, sum) = await SpendLogsAsync(gateway, key);
        Assert.Equal(105, rows);
        Assert.Equal(105 * AdminClient.ChatCost, sum);
        Assert.Equal(sum, await gateway.KeySpendAsync(key));
    }

    [Fact]
    public async Task QueueFull_NewRequestsGet503AndAreCounted()
    {
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel);
        var key = await gateway.NewKeyAsync();
        var writer = gateway.Runtime.Data.Writer;
        writer.MaxQueuedRows = 20;
        FillDisk(gateway);
        HttpResponseMessage? refused = null;
        var served = 0;
        for (var i = 0; i < 200 && refused is null; i++)
        {
            var response = await gateway.ChatAsync(key);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                served++;
                response.Dispose();
            }
            else
            {
                refused = response;
            }
        }
        Assert.NotNull(refused);
        using (refused)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
            Assert.StartsWith("Spend cannot be recorded", error.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Equal("503", error.GetProperty("code").GetString());
        }
        // Rows queued behind a batch still being tried count towards the bound: the failure may come just after.
        await WaitUntil(() => writer.Failing, "the full disk never failed a write");
        var metrics = await gateway.Client.GetStringAsync("/metrics");
        Assert.Contains("edgegw_spend_refusals_total 1", metrics, StringComparison.Ordinal);
        Assert.Contains("edgegw_spend_queued_rows ", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("edgegw_spend_write_failures_total 0.0\n", metrics, StringComparison.Ordinal);

        FreeDisk(gateway);
        await WaitUntil(() => writer.QueuedRows == 0 && !writer.Failing, "the queued rows never landed");
        using (var again = await gateway.ChatAsync(key))
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var (rows, sum) = await SpendLogsAsync(gateway, key);
        Assert.Equal(served + 1, rows);
        Assert.Equal(sum, await gateway.KeySpendAsync(key));
    }

    [Fact]
    public async Task AllowRequestsOnDbUnavailable_ServesPastTheBoundAndKeepsKeySpend()
    {
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, "  allow_requests_on_db_unavailable: true");
        var key = await gateway.NewKeyAsync();
        var writer = gateway.Runtime.Data.Writer;
        writer.MaxQueuedRows = 10;
        FillDisk(gateway);
        for (var i = 0; i < 40; i++)
        {
            using var response = await gateway.ChatAsync(key);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.True(writer.DroppedRows > 0);
        // The last answer's spend row reaches the writer just after the answer: compare once the count holds still.
        var reported = false;
        for (var i = 0; i < 100 && !reported; i++)
        {
            var dropped = writer.DroppedRows;
            reported = (await gateway.Client.GetStringAsync("/metrics")).Contains($"edgegw_spend_rows_dropped_total {dropped}.0\n", StringComparison.Ordinal);
            if (!reported)
                await Task.Delay(20);
        }
        Assert.True(reported, $"/metrics never reported the {writer.DroppedRows} rows dropped");
        using (var ready = await gateway.Client.GetAsync("/health/readiness"))
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        FreeDisk(gateway);
        await WaitUntil(() => writer.QueuedRows == 0 && !writer.Failing, "the queued rows never landed");
        var (rows, _) = await SpendLogsAsync(gateway, key);
        Assert.Equal(40 - writer.DroppedRows, rows);
        // The budget still moved for every request served: only log rows were dropped.
        Assert.Equal(40 * AdminClient.ChatCost, await gateway.KeySpendAsync(key));
    }

    [Fact]
    public async Task AdminWriteOnFullDisk_Answers503AndChangesNothing()
    {
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel);
        var key = await gateway.NewKeyAsync("""{"key_alias":"before"}""");
        FillDisk(gateway);
        // Enough new keys to need a new page: the first few may fit in the page already there.
        HttpResponseMessage? failed = null;
        for (var i = 0; i < 200 && failed is null; i++)
        {
            var response = await gateway.PostJsonAsync("/key/generate", "{\"key_alias\":\"k" + i + "\",\"metadata\":{\"pad\":\"" + new string('x', 500) + "\"}}");
            if (response.StatusCode == HttpStatusCode.OK)
                response.Dispose();
            else
                failed = response;
        }
        Assert.NotNull(failed);
        using (failed)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
            var error = JsonDocument.Parse(await failed.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
            Assert.StartsWith("Storage unavailable", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        var keysBefore = (await gateway.GetAdminAsync("/key/list?size=100")).GetProperty("total_count").GetInt32();
        using (var update = await gateway.PostJsonAsync("/key/update", "{\"key\":\"" + key + "\",\"key_alias\":\"after\",\"metadata\":{\"pad\":\"" + new string('y', 3000) + "\"}}"))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, update.StatusCode);
        Assert.Equal("before", (await gateway.GetAdminAsync($"/key/info?key={key}")).GetProperty("info").GetProperty("key_alias").GetString());
        Assert.Equal(keysBefore, (await gateway.GetAdminAsync("/key/list?size=100")).GetProperty("total_count").GetInt32());

        FreeDisk(gateway);
        using (var retried = await gateway.PostJsonAsync("/key/update", $$"""{"key":"{{key}}","key_alias":"after"}"""))
            Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
    }

    [Fact]
    public async Task RestartAfterRecovery_KeepsEverySpendRow()
    {
        var path = TestGateway.NewDatabasePath();
        try
        {
            string key;
            await using (var first = await TestGateway.StartAsync(AdminClient.CheapModel, databasePath: path))
            {
                key = await first.NewKeyAsync("""{"max_budget":100}""");
                FillDisk(first);
                for (var i = 0; i < 30; i++)
                {
                    using var response = await first.ChatAsync(key);
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }
                await WaitUntil(() => first.Runtime.Data.Writer.Failing, "the spend writer never saw the full disk");
                FreeDisk(first);
            }
            await using var second = await TestGateway.StartAsync(AdminClient.CheapModel, databasePath: path);
            Assert.Equal(30 * AdminClient.ChatCost, await second.KeySpendAsync(key));
            Assert.Equal((30, 30 * AdminClient.ChatCost), await SpendLogsAsync(second, key));
        }
        finally
        {
            TestGateway.DeleteDatabase(path);
        }
    }
}
