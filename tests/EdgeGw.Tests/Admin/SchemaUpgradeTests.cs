using System.Net;
using System.Text.Json;
using EdgeGw.Auth;
using EdgeGw.Storage;
using EdgeGw.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace EdgeGw.Tests.Admin;

public sealed class SchemaUpgradeTests
{
    private const string OldKey = "sk-written-by-schema-version-1";

    /// <summary>
    /// A database as an edgegw of schema version 1 left it: step 1 (released steps are never edited)
    /// and one team, user and key with spend.
    /// </summary>
    private static void WriteVersion1Database(string path)
    {
        // The test opens the file itself, possibly before any gateway has loaded SQLite's provider.
        SqliteNative.EnsureInitialized();
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = Migrations.Steps[0] + $"""

            PRAGMA user_version = 1;
            INSERT INTO teams (team_id, team_alias, max_budget, rpm_limit, tpm_limit, spend, created_at, updated_at)
              VALUES ('old-team', 'Old', 5000000000, 11, 111, 250000000, 1700000000000, 1700000000000);
            INSERT INTO users (user_id, user_email, spend, created_at, updated_at)
              VALUES ('old-user', 'old@example.com', 250000000, 1700000000000, 1700000000000);
            INSERT INTO keys (token, key_name, team_id, user_id, rpm_limit, max_parallel_requests, spend, created_at, updated_at)
              VALUES ('{TokenHash.FromKey(OldKey).ToHex()}', 'sk-...on-1', 'old-team', 'old-user', 100, 4, 250000000, 1700000000000, 1700000000000);
            INSERT INTO spend_logs (request_id, call_type, api_key, spend, total_tokens, prompt_tokens, completion_tokens, start_time, end_time,
              model, model_group, model_id, api_base, status)
              VALUES ('old-request', 'acompletion', 'old-hash', 250000000, 11, 8, 3, 1700000000000, 1700000000000, 'cheap', 'cheap', 'm', '', 'success');
            """;
        command.ExecuteNonQuery();
    }

    private static long UserVersion(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version";
        return (long)command.ExecuteScalar()!;
    }

    private static void AssertNull(JsonElement account, string name) =>
        Assert.Equal(JsonValueKind.Null, account.GetProperty(name).ValueKind);

    [Fact]
    public async Task Version1Database_UpgradesAndKeepsItsRows()
    {
        var path = TestGateway.NewDatabasePath();
        try
        {
            WriteVersion1Database(path);

            await using (var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, databasePath: path))
            {
                var team = (await gateway.GetAdminAsync("/team/info?team_id=old-team")).GetProperty("team_info");
                Assert.Equal("Old", team.GetProperty("team_alias").GetString());
                Assert.Equal(0.25m, team.GetProperty("spend").GetDecimal());
                Assert.Equal(11, team.GetProperty("rpm_limit").GetInt32());
                Assert.Equal(111, team.GetProperty("tpm_limit").GetInt32());
                AssertNull(team, "max_parallel_requests");

                var user = (await gateway.GetAdminAsync("/user/info?user_id=old-user")).GetProperty("user_info");
                Assert.Equal("old@example.com", user.GetProperty("user_email").GetString());
                Assert.Equal(0.25m, user.GetProperty("spend").GetDecimal());
                AssertNull(user, "rpm_limit");
                AssertNull(user, "tpm_limit");
                AssertNull(user, "max_parallel_requests");

                var key = (await gateway.GetAdminAsync($"/key/info?key={OldKey}")).GetProperty("info");
                Assert.Equal(100, key.GetProperty("rpm_limit").GetInt32());
                Assert.Equal(4, key.GetProperty("max_parallel_requests").GetInt32());
                using (var response = await gateway.ChatAsync(OldKey))
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(0.25m + AdminClient.ChatCost, await gateway.KeySpendAsync(OldKey));
                var oldRow = Assert.Single((await gateway.GetAdminAsync("/spend/logs?request_id=old-request")).EnumerateArray());
                Assert.Equal(0.25m, oldRow.GetProperty("spend").GetDecimal());

                await gateway.PostAdminAsync("/user/update", """{"user_id":"old-user","rpm_limit":9,"tpm_limit":99,"max_parallel_requests":2}""");
                await gateway.PostAdminAsync("/team/update", """{"team_id":"old-team","max_parallel_requests":7}""");
            }

            Assert.Equal(Migrations.Latest, UserVersion(path));
            await using var reopened = await TestGateway.StartAsync(AdminClient.CheapModel, databasePath: path);
            var upgradedUser = (await reopened.GetAdminAsync("/user/info?user_id=old-user")).GetProperty("user_info");
            Assert.Equal(9, upgradedUser.GetProperty("rpm_limit").GetInt32());
            Assert.Equal(99, upgradedUser.GetProperty("tpm_limit").GetInt32());
            Assert.Equal(2, upgradedUser.GetProperty("max_parallel_requests").GetInt32());
            Assert.Equal(0.25m + AdminClient.ChatCost, upgradedUser.GetProperty("spend").GetDecimal());
            var upgradedTeam = (await reopened.GetAdminAsync("/team/info?team_id=old-team")).GetProperty("team_info");
            Assert.Equal(7, upgradedTeam.GetProperty("max_parallel_requests").GetInt32());
            Assert.Equal(11, upgradedTeam.GetProperty("rpm_limit").GetInt32());
        }
        finally
        {
            TestGateway.DeleteDatabase(path);
        }
    }

    [Fact]
    public async Task Version9Database_TeamUserAndEndUserFiltersStillFindRowsThroughTheirIndexes()
    {
        // Step 10 rebuilt these indexes to hold only rows that have a value: filters must still use them.
        var path = TestGateway.NewDatabasePath();
        try
        {
            SqliteNative.EnsureInitialized();
            using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = string.Join("\n", Migrations.Steps[..9]) + """

                    PRAGMA user_version = 9;
                    INSERT INTO spend_logs (request_id, call_type, api_key, spend, total_tokens, prompt_tokens, completion_tokens, start_time, end_time,
                      model, model_group, model_id, api_base, status, user, team_id, end_user)
                      VALUES ('owned', 'acompletion', 'h', 1, 2, 1, 1, 1700000000000, 1700000000000, 'm', 'm', 'm', '', 'success', 'u1', 't1', 'e1'),
                             ('unowned', 'acompletion', 'h', 1, 2, 1, 1, 1700000000000, 1700000000000, 'm', 'm', 'm', '', 'success', NULL, NULL, NULL);
                    """;
                command.ExecuteNonQuery();
            }

            await using (var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, databasePath: path))
            {
                foreach (var filter in new[] { "user_id=u1", "team_id=t1", "customer_id=e1" })
                {
                    var row = Assert.Single((await gateway.GetAdminAsync($"/spend/logs?{filter}")).EnumerateArray());
                    Assert.Equal("owned", row.GetProperty("request_id").GetString());
                }
            }

            using var check = new SqliteConnection($"Data Source={path};Pooling=False");
            check.Open();
            foreach (var (where, index) in new[] { ("user = @a", "spend_logs_user"), ("team_id IN (@a, @b)", "spend_logs_team"), ("end_user = @a", "spend_logs_end_user") })
            {
                using var plan = check.CreateCommand();
                plan.CommandText = $"EXPLAIN QUERY PLAN SELECT COUNT(*) FROM spend_logs WHERE {where} AND start_time >= @s";
                plan.Parameters.AddWithValue("@a", "x");
                plan.Parameters.AddWithValue("@b", "y");
                plan.Parameters.AddWithValue("@s", 0);
                using (var reader = plan.ExecuteReader())
                {
                    Assert.True(reader.Read());
                    Assert.Contains(index, reader.GetString(3), StringComparison.Ordinal);
                }
                using var definition = check.CreateCommand();
                definition.CommandText = $"SELECT sql FROM sqlite_master WHERE name = '{index}'";
                Assert.Contains("IS NOT NULL", (string)definition.ExecuteScalar()!, StringComparison.Ordinal); // rows without one stay out
            }
        }
        finally
        {
            TestGateway.DeleteDatabase(path);
        }
    }

    [Fact]
    public async Task OneVersionNewerDatabase_IsRefused()
    {
        var path = TestGateway.NewDatabasePath();
        try
        {
            await using (await TestGateway.StartAsync(AdminClient.CheapModel, databasePath: path))
            {
            }
            Assert.Equal(Migrations.Latest, UserVersion(path));
            using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = $"PRAGMA user_version = {Migrations.Latest + 1}";
                command.ExecuteNonQuery();
            }

            var error = await Assert.ThrowsAsync<StoreException>(() => TestGateway.StartAsync(AdminClient.CheapModel, databasePath: path));
            Assert.Contains($"schema version {Migrations.Latest + 1}", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            TestGateway.DeleteDatabase(path);
        }
    }
}
