using System.Net;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Admin;

public sealed class RestartPersistenceTests
{
    [Fact]
    public async Task Restart_KeepsKeysTeamsUsersAndSpend()
    {
        var path = TestGateway.NewDatabasePath();
        try
        {
            string key;
            await using (var first = await TestGateway.StartAsync(AdminClient.CheapModel, databasePath: path))
            {
                await first.PostAdminAsync("/team/new", """{"team_id":"t","max_budget":100}""");
                key = await first.NewKeyAsync("""{"team_id":"t","user_id":"u","key_alias":"persisted","max_budget":1}""");
                for (var i = 0; i < 3; i++)
                {
                    using var response = await first.ChatAsync(key);
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }
            }

            await using var second = await TestGateway.StartAsync(AdminClient.CheapModel, databasePath: path);
            var info = (await second.GetAdminAsync($"/key/info?key={key}")).GetProperty("info");
            Assert.Equal("persisted", info.GetProperty("key_alias").GetString());
            Assert.Equal(3 * AdminClient.ChatCost, info.GetProperty("spend").GetDecimal());
            Assert.Equal(3 * AdminClient.ChatCost, (await second.GetAdminAsync("/team/info?team_id=t")).GetProperty("team_info").GetProperty("spend").GetDecimal());
            Assert.Equal(3 * AdminClient.ChatCost, (await second.GetAdminAsync("/user/info?user_id=u")).GetProperty("user_info").GetProperty("spend").GetDecimal());
            Assert.Equal(3, (await second.GetAdminAsync("/spend/logs")).GetArrayLength());
            using var again = await second.ChatAsync(key);
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Equal(4 * AdminClient.ChatCost, await second.KeySpendAsync(key));
        }
        finally
        {
            TestGateway.DeleteDatabase(path);
        }
    }

    [Fact]
    public async Task Shutdown_RightAfterABurst_LosesNoSpend()
    {
        var path = TestGateway.NewDatabasePath();
        try
        {
            string key;
            await using (var first = await TestGateway.StartAsync(AdminClient.CheapModel, databasePath: path))
            {
                key = await first.NewKeyAsync();
                var statuses = await Task.WhenAll(Enumerable.Range(0, 200).Select(async _ =>
                {
                    using var response = await first.ChatAsync(key);
                    return response.StatusCode;
                }));
                Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
            }

            await using var second = await TestGateway.StartAsync(AdminClient.CheapModel, databasePath: path);
            Assert.Equal(200 * AdminClient.ChatCost, await second.KeySpendAsync(key));
            var rows = await second.GetAdminAsync("/spend/logs?limit=1000");
            Assert.Equal(200, rows.GetArrayLength());
            Assert.Equal(200 * AdminClient.ChatCost, rows.EnumerateArray().Sum(r => r.GetProperty("spend").GetDecimal()));
        }
        finally
        {
            TestGateway.DeleteDatabase(path);
        }
    }

    [Fact]
    public async Task NewerSchema_IsRefusedWithAClearMessage()
    {
        var path = TestGateway.NewDatabasePath();
        try
        {
            await using (var first = await TestGateway.StartAsync(AdminClient.CheapModel, databasePath: path))
            {
            }
            using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA user_version = 999";
                command.ExecuteNonQuery();
            }

            var error = await Assert.ThrowsAsync<EdgeGw.Storage.StoreException>(() => TestGateway.StartAsync(AdminClient.CheapModel, databasePath: path));
            Assert.Contains("schema version 999", error.Message, StringComparison.Ordinal);
            Assert.Contains("newer edgegw", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            TestGateway.DeleteDatabase(path);
        }
    }

    [Fact]
    public async Task Readiness_ReportsDatabaseConnected()
    {
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel);
        var ready = await gateway.GetAdminAsync("/health/readiness");
        Assert.Equal("connected", ready.GetProperty("db").GetString());
    }
}
