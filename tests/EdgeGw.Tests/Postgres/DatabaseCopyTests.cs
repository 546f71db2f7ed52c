using System.Net;
using EdgeGw.Ops;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Postgres;

/// <summary><c>edgegw db copy</c>: an embedded database moved into LiteLLM's tables, served the same by a gateway on it.</summary>
[Collection(PostgresCollection.Name)]
public class DatabaseCopyTests(PostgresServer server)
{
    internal static async Task<(int Exit, string Output, string Errors)> CopyAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var exit = await DatabaseCopyCommand.RunAsync(args, output, errors);
        return (exit, output.ToString(), errors.ToString());
    }

    private const string Snapshot = """
        SELECT concat_ws(' ',
          (SELECT count(*) FROM "LiteLLM_SpendLogs"), (SELECT sum(spend) FROM "LiteLLM_SpendLogs"),
          (SELECT string_agg(concat(key_alias, '=', spend), ',' ORDER BY key_alias) FROM "LiteLLM_VerificationToken"),
          (SELECT string_agg(concat(team_id, '=', spend, ':', jsonb_array_length(members_with_roles)), ',' ORDER BY team_id) FROM "LiteLLM_TeamTable"),
          (SELECT string_agg(concat(user_id, '=', spend), ',' ORDER BY user_id) FROM "LiteLLM_UserTable"),
          (SELECT string_agg(concat(team_id, '/', user_id, '=', spend), ',') FROM "LiteLLM_TeamMembership"),
          (SELECT sum(spend) FROM "LiteLLM_DailyUserSpend"))
        """;

    [Fact]
    public async Task SqliteDatabaseCopiedTwice_ServesTheSameKeysSpendAndLogsOnPostgres()
    {
        var path = TestGateway.NewDatabasePath();
        try
        {
            string teamKey, userKey;
            decimal teamKeySpend;
            await using (var embedded = await TestGateway.StartAsync(AdminClient.CheapModel, databasePath: path))
            {
                await embedded.PostAdminAsync("/team/new", """{"team_id":"team-a","team_alias":"Team A","max_budget":10}""");
                await embedded.PostAdminAsync("/user/new", """{"user_id":"alice","user_email":"alice@x.io","auto_create_key":false}""");
                await embedded.PostAdminAsync("/team/member_add", """{"team_id":"team-a","member":{"role":"admin","user_id":"alice"},"max_budget_in_team":3}""");
                teamKey = await embedded.NewKeyAsync("""{"key_alias":"team-key","team_id":"team-a","user_id":"alice","max_budget":5,"models":["cheap"]}""");
                userKey = await embedded.NewKeyAsync("""{"key_alias":"user-key","user_id":"alice"}""");
                for (var i = 0; i < 3; i++)
                {
                    using var ok = await embedded.ChatAsync(teamKey);
                    Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
                }
                using (var ok = await embedded.ChatAsync(userKey))
                    Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
                teamKeySpend = await embedded.KeySpendAsync(teamKey);
            }
            Assert.Equal(3 * AdminClient.ChatCost, teamKeySpend);

            var db = server.CreateDatabase();
            // Trust authentication ignores the password: it is there to show it is never printed.
            var withPassword = server.Url(db).Replace("postgres@", "postgres:pw-never-shown@", StringComparison.Ordinal);
            var first = await CopyAsync("copy", "--from", "sqlite:" + path, "--to", withPassword);
            Assert.True(first.Exit == 0, first.Errors);
            Assert.DoesNotContain("pw-never-shown", first.Output, StringComparison.Ordinal);
            Assert.Contains("postgres:****@", first.Output, StringComparison.Ordinal);
            Assert.Contains("2 keys, 1 teams, 1 users, 1 team members, 4 spend rows copied (0 already present)", first.Output, StringComparison.Ordinal);
            var copied = server.Scalar(db, Snapshot);
            Assert.Equal("4 0.056 team-key=0.042,user-key=0.014 team-a=0.042:1 alice=0.056,litellm-proxy-budget=0.056 team-a/alice=0.042 0.056", copied);

            var second = await CopyAsync("copy", "--from", "sqlite:" + path, "--to", server.Url(db));
            Assert.True(second.Exit == 0, second.Errors);
            Assert.Contains("0 spend rows copied (4 already present)", second.Output, StringComparison.Ordinal);
            Assert.Equal(copied, server.Scalar(db, Snapshot));

            // In pages of one row each, into another fresh database: the same result.
            var paged = server.CreateDatabase();
            using (var sqlite = EdgeGw.Storage.SqliteStore.Open(path))
            await using (var store = await EdgeGw.Storage.Postgres.PostgresStore.OpenAsync(server.Url(paged)))
                await EdgeGw.Storage.Postgres.SqliteToPostgres.RunAsync(sqlite, store.Source, store.Url, batchSize: 1);
            Assert.Equal(copied, server.Scalar(paged, Snapshot));

            await using var onPostgres = await TestGateway.StartAsync(AdminClient.CheapModel, databaseUrl: server.Url(db));
            Assert.Equal(3 * AdminClient.ChatCost, await onPostgres.KeySpendAsync(teamKey));
            Assert.Equal(AdminClient.ChatCost, await onPostgres.KeySpendAsync(userKey));
            var logs = await onPostgres.GetAdminAsync("/spend/logs");
            Assert.Equal(4, logs.GetArrayLength());
            Assert.Equal(4 * AdminClient.ChatCost, logs.EnumerateArray().Sum(r => r.GetProperty("spend").GetDecimal()));
            var team = await onPostgres.GetAdminAsync("/team/info?team_id=team-a");
            Assert.Equal("admin", team.GetProperty("team_memberships")[0].GetProperty("role").GetString());
            using var stillServed = await onPostgres.ChatAsync(teamKey);
            Assert.Equal(HttpStatusCode.OK, stillServed.StatusCode);
        }
        finally
        {
            TestGateway.DeleteDatabase(path);
        }
    }

    [Theory]
    [InlineData("copy --from sqlite:/nonexistent/edgegw.db --to postgresql://u:s3cret-pw@127.0.0.1:5432/db", "no database file")]
    [InlineData("copy --from /data/edgegw.db --to postgresql://u:s3cret-pw@127.0.0.1:5432/db", "--from must be sqlite:PATH")]
    [InlineData("copy --from sqlite:PATH --to mysql://u:s3cret-pw@127.0.0.1/db", "postgresql://")]
    [InlineData("copy --from sqlite:PATH", "--to is required")]
    [InlineData("move --from sqlite:PATH --to postgresql://u:s3cret-pw@127.0.0.1/db", "unknown subcommand 'move'")]
    [InlineData("copy --from sqlite:PATH postgresql://u:s3cret-pw@127.0.0.1/db", "unexpected argument 'a URL'")]
    public async Task BadArguments_ExitTwoWithOneLineAndNoPassword(string args, string expected)
    {
        var path = TestGateway.NewDatabasePath();
        await File.WriteAllBytesAsync(path, []);
        try
        {
            var (exit, output, errors) = await CopyAsync(args.Replace("PATH", path, StringComparison.Ordinal).Split(' '));
            Assert.Equal(2, exit);
            Assert.Equal("", output);
            Assert.Single(errors.TrimEnd('\n').Split('\n'));
            Assert.Contains(expected, errors, StringComparison.Ordinal);
            Assert.DoesNotContain("s3cret-pw", errors, StringComparison.Ordinal);
        }
        finally
        {
            TestGateway.DeleteDatabase(path);
        }
    }

    [Fact]
    public async Task UnreachablePostgres_ExitsOneWithoutThePassword()
    {
        var path = TestGateway.NewDatabasePath();
        await File.WriteAllBytesAsync(path, []);
        try
        {
            var (exit, _, errors) = await CopyAsync("copy", "--from", "sqlite:" + path, "--to", "postgresql://u:s3cret-pw@127.0.0.1:1/db");
            Assert.Equal(1, exit);
            Assert.Contains("****", errors, StringComparison.Ordinal);
            Assert.DoesNotContain("s3cret-pw", errors, StringComparison.Ordinal);
        }
        finally
        {
            TestGateway.DeleteDatabase(path);
        }
    }
}
