using System.Net;
using System.Security.Cryptography;
using System.Text;
using EdgeGw.Observability.Logging;
using EdgeGw.Storage;
using EdgeGw.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace EdgeGw.Tests.Postgres;

/// <summary>The whole gateway on <c>database_url</c>: LiteLLM's tables hold what the admin API writes, and what LiteLLM wrote is served.</summary>
[Collection(PostgresCollection.Name)]
public class PostgresGatewayTests(PostgresServer server)
{
    private static string Sha256(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string ChatFor(string model) => $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public async Task AccountsMadeThroughTheAdminApi_LandInLiteLlmTablesAndSurviveARestart()
    {
        var db = server.CreateDatabase();
        string key;
        await using (var first = await TestGateway.StartAsync(AdminClient.CheapModel, databaseUrl: server.Url(db)))
        {
            await first.PostAdminAsync("/team/new", """{"team_id":"team-a","team_alias":"Team A","max_budget":10,"models":["cheap"]}""");
            await first.PostAdminAsync("/user/new", """{"user_id":"alice","user_email":"alice@x.io","auto_create_key":false}""");
            await first.PostAdminAsync("/team/member_add", """{"team_id":"team-a","member":{"role":"admin","user_id":"alice"}}""");
            key = await first.NewKeyAsync("""{"key_alias":"ci","team_id":"team-a","user_id":"alice","max_budget":5,"models":["cheap"]}""");
        }

        Assert.Equal("ci team-a alice 5 {cheap}", server.Scalar(db, $"""
            SELECT concat_ws(' ', key_alias, team_id, user_id, max_budget, models::text) FROM "LiteLLM_VerificationToken" WHERE token = '{Sha256(key)}'
            """));
        Assert.Equal("Team A 10 admin alice", server.Scalar(db, """
            SELECT concat_ws(' ', team_alias, max_budget, members_with_roles->0->>'role', members_with_roles->0->>'user_id')
            FROM "LiteLLM_TeamTable" WHERE team_id = 'team-a'
            """));
        Assert.Equal("alice@x.io {team-a}", server.Scalar(db, """SELECT concat_ws(' ', user_email, teams::text) FROM "LiteLLM_UserTable" WHERE user_id = 'alice'"""));

        await using (var second = await TestGateway.StartAsync(AdminClient.CheapModel, databaseUrl: server.Url(db)))
        {
            using var ok = await second.ChatAsync(key, ChatFor("cheap"));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            var info = (await second.GetAdminAsync($"/key/info?key={key}")).GetProperty("info");
            Assert.Equal(("ci", "team-a", 5m), (info.GetProperty("key_alias").GetString(), info.GetProperty("team_id").GetString(), info.GetProperty("max_budget").GetDecimal()));
            var team = await second.GetAdminAsync("/team/info?team_id=team-a");
            Assert.Equal("admin", team.GetProperty("team_memberships")[0].GetProperty("role").GetString());
            // Reports read LiteLLM_SpendLogs: the request's row shows once the writer has stored it (~10 ms batches).
            var rows = await second.GetAdminAsync("/spend/logs");
            for (var i = 0; i < 100 && rows.GetArrayLength() == 0; i++)
            {
                await Task.Delay(50);
                rows = await second.GetAdminAsync("/spend/logs");
            }
            var row = Assert.Single(rows.EnumerateArray());
            Assert.Equal((Sha256(key), AdminClient.ChatCost), (row.GetProperty("api_key").GetString(), row.GetProperty("spend").GetDecimal()));
        }

        // Stopping drained the spend writer: the request's row and its cost are in LiteLLM's tables.
        Assert.Equal($"1 {AdminClient.ChatCost} {AdminClient.ChatCost} {AdminClient.ChatCost}", server.Scalar(db, $"""
            SELECT concat_ws(' ', (SELECT count(*) FROM "LiteLLM_SpendLogs" WHERE api_key = '{Sha256(key)}'),
              (SELECT spend FROM "LiteLLM_VerificationToken" WHERE token = '{Sha256(key)}'), (SELECT spend FROM "LiteLLM_TeamTable" WHERE team_id = 'team-a'),
              (SELECT spend FROM "LiteLLM_UserTable" WHERE user_id = 'alice'))
            """));
    }

    [Fact]
    public async Task KeysWrittenByLiteLlm_AuthenticateWithTheirModelsAndBudgetsEnforced()
    {
        var db = server.CreateDatabase();
        server.Execute(db, LiteLlmSchemaTests.FixtureSql);
        server.Execute(db, $$"""
            INSERT INTO "LiteLLM_TeamTable" (team_id, team_alias, admins, members, members_with_roles, models, max_budget, spend)
              VALUES ('team-open', 'Open', '{}', '{}', '[]', '{}', 100, 1), ('team-spent', 'Spent', '{}', '{}', '[]', '{}', 1, 1);
            INSERT INTO "LiteLLM_VerificationToken" (token, key_name, models, team_id, spend, max_budget, created_at, updated_at)
              VALUES ('{{Sha256("sk-litellm-cheap-only-0001")}}', 'sk-...0001', '{cheap}', 'team-open', 0, 5, now(), now()),
                     ('{{Sha256("sk-litellm-over-budget-0002")}}', 'sk-...0002', '{}', 'team-open', 0.5, 0.5, now(), now()),
                     ('{{Sha256("sk-litellm-spent-team-0003")}}', 'sk-...0003', '{}', 'team-spent', 0, NULL, now(), now());
            """);
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, databaseUrl: server.Url(db));

        using var allowed = await gateway.ChatAsync("sk-litellm-cheap-only-0001", ChatFor("cheap"));
        using var otherModel = await gateway.ChatAsync("sk-litellm-cheap-only-0001", ChatFor("other"));
        using var overBudget = await gateway.ChatAsync("sk-litellm-over-budget-0002", ChatFor("cheap"));
        using var teamSpent = await gateway.ChatAsync("sk-litellm-spent-team-0003", ChatFor("cheap"));
        using var unknown = await gateway.ChatAsync("sk-litellm-never-stored-0004", ChatFor("cheap"));

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, otherModel.StatusCode);
        Assert.Equal("key_model_access_denied", (await AdminClient.ErrorOf(otherModel)).GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.TooManyRequests, overBudget.StatusCode);
        Assert.Equal("Budget has been exceeded! Current cost: 0.5, Max budget: 0.5", (await AdminClient.ErrorOf(overBudget)).GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.TooManyRequests, teamSpent.StatusCode);
        Assert.StartsWith("Budget has been exceeded! Team=team-spent", (await AdminClient.ErrorOf(teamSpent)).GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
    }

    [Fact]
    public async Task AdminWriteWhileTheDatabaseIsStopped_Answers503AndChangesNothing()
    {
        var db = server.CreateDatabase();
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, databaseUrl: server.Url(db));
        var before = await gateway.NewKeyAsync("""{"key_alias":"before"}""");
        try
        {
            server.Shutdown();

            using var refused = await gateway.PostJsonAsync("/key/generate", """{"key_alias":"during"}""");
            using var teamRefused = await gateway.PostJsonAsync("/team/new", """{"team_id":"during"}""");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            var error = await AdminClient.ErrorOf(refused);
            Assert.Equal("service_unavailable", error.GetProperty("type").GetString());
            Assert.Contains($"PostgreSQL postgresql://postgres@127.0.0.1:{server.Port}/{db}", error.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, teamRefused.StatusCode);
            Assert.Equal(1, (await gateway.GetAdminAsync("/key/list")).GetProperty("total_count").GetInt32());
            await gateway.GetAdminAsync("/team/info?team_id=during", HttpStatusCode.NotFound);
            using var served = await gateway.ChatAsync(before, ChatFor("cheap"));
            Assert.Equal(HttpStatusCode.OK, served.StatusCode); // the cached key keeps working
        }
        finally
        {
            server.Restart();
        }
        await gateway.PostAdminAsync("/team/new", """{"team_id":"after"}""");
        Assert.Equal(1L, server.Scalar(db, """SELECT count(*) FROM "LiteLLM_TeamTable" """));
    }

    [Fact]
    public async Task DatabaseThatAppearsAfterStart_IsWaitedForAndUsed()
    {
        var name = server.NewDatabaseName();

        var starting = Task.Run(() => TestGateway.StartAsync(AdminClient.CheapModel, databaseUrl: server.Url(name)));
        // Bounded wait for the server to have refused the gateway at least once.
        for (var i = 0; i < 600 && !server.Logged($"database \"{name}\" does not exist"); i++)
            await Task.Delay(50);
        Assert.True(server.Logged($"database \"{name}\" does not exist"), "the gateway never tried the database");
        Assert.False(starting.IsCompleted, "the gateway gave up (or started) before the database existed");
        server.CreateDatabase(name);

        await using var gateway = await starting;
        var key = await gateway.NewKeyAsync();
        Assert.Equal(1L, server.Scalar(name, $"""SELECT count(*) FROM "LiteLLM_VerificationToken" WHERE token = '{Sha256(key)}'"""));
    }

    [Fact]
    public void DatabaseThatNeverAnswers_GivesUpNamingItWithoutThePassword()
    {
        var port = ClosedPort();
        var url = $"postgresql://edgegw:pw-s3cret-9@127.0.0.1:{port}/litellm";
        var output = new MemoryStream();
        var provider = new ConsoleLoggerProvider(json: false, output);
        using var loggers = LoggerFactory.Create(l => l.AddProvider(provider));

        var error = Assert.Throws<StoreException>(() =>
            GatewayData.Open(new DatabaseChoice.Postgres(url, "DATABASE_URL") { StartWait = TimeSpan.FromSeconds(1) }, TimeProvider.System, loggers));
        provider.Dispose();

        var log = Encoding.UTF8.GetString(output.ToArray());
        Assert.StartsWith($"cannot open PostgreSQL database postgresql://edgegw:****@127.0.0.1:{port}/litellm (waited ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains($"database: PostgreSQL postgresql://edgegw:****@127.0.0.1:{port}/litellm is not reachable yet", log, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-s3cret-9", error.Message + log, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownRole_FailsAtOnceWithoutWaiting()
    {
        var output = new MemoryStream();
        var provider = new ConsoleLoggerProvider(json: false, output);
        using var loggers = LoggerFactory.Create(l => l.AddProvider(provider));

        var error = Assert.Throws<StoreException>(() =>
            GatewayData.Open(new DatabaseChoice.Postgres($"postgresql://nobody:pw-s3cret-9@127.0.0.1:{server.Port}/postgres", "DATABASE_URL"), TimeProvider.System, loggers));
        provider.Dispose();

        Assert.Contains("role \"nobody\" does not exist", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not reachable yet", Encoding.UTF8.GetString(output.ToArray()), StringComparison.Ordinal);
        Assert.DoesNotContain("pw-s3cret-9", error.Message, StringComparison.Ordinal);
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
