using EdgeGw.Auth;
using EdgeGw.Storage;
using EdgeGw.Storage.Postgres;
using EdgeGw.Tests.Infrastructure;
using Npgsql;

namespace EdgeGw.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public class LiteLlmSpendTests(PostgresServer server)
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-11-30T09:00:00.250Z", System.Globalization.CultureInfo.InvariantCulture);

    private static SpendRow Row(string requestId, long nanos) => new()
    {
        RequestId = requestId,
        ApiKey = TokenHash.FromKey("sk-spender").ToHex(),
        SpendNanos = nanos,
        PromptTokens = 120,
        CompletionTokens = 30,
        StartTime = Start,
        EndTime = Start.AddMilliseconds(1500),
        Model = "gpt-4o-2024-08-06",
        ModelGroup = "gpt-4o",
        ModelId = "deployment-1",
        ApiBase = "https://api.openai.com",
        Provider = "openai",
        User = "alice",
        TeamId = "team-a",
        EndUser = "customer-9",
        CacheHit = false,
        Status = "success",
    };

    private async Task<string> LiteLlmDatabase(string rows = "")
    {
        var db = server.CreateDatabase();
        server.Execute(db, LiteLlmSchemaTests.FixtureSql);
        if (rows.Length > 0)
            server.Execute(db, rows);
        return db;
    }

    // Through the gateway's own (slim) data source, so a type it lacks fails here, not in the native binary.
    private NpgsqlDataSource Source(string db)
    {
        Assert.True(DatabaseUrl.TryParse(server.Url(db), out var url, out var error), error);
        return PostgresStore.Build(url);
    }

    private async Task InTransaction(string db, Func<NpgsqlConnection, NpgsqlTransaction, Task> work)
    {
        await using var source = Source(db);
        await using var connection = await source.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await work(connection, tx);
        await tx.CommitAsync();
    }

    [Fact]
    public async Task SpendRows_LandWithLiteLlmColumnSemantics_DuplicateRequestIdKeepsTheFirst()
    {
        var db = await LiteLlmDatabase();
        var inserted = 0;

        await InTransaction(db, (c, tx) =>
        {
            inserted = LiteLlmSpend.InsertLogs(c, tx, [Row("req-1", 1_234_500), Row("req-2", 0), Row("req-1", 999)], new SpendRowJson());
            return Task.CompletedTask;
        });

        Assert.Equal(2, inserted);
        Assert.Equal(
            $"{TokenHash.FromKey("sk-spender").ToHex()} 0.0012345 150 120 30 2026-11-30 09:00:00.25 2026-11-30 09:00:01.75 1500 " +
            "gpt-4o-2024-08-06 deployment-1 gpt-4o openai https://api.openai.com alice team-a customer-9 False success " +
            $"{TokenHash.FromKey("sk-spender").ToHex()} array acompletion",
            server.Scalar(db, """
                SELECT concat_ws(' ', api_key, spend, total_tokens, prompt_tokens, completion_tokens, "startTime", "endTime", request_duration_ms,
                  model, model_id, model_group, custom_llm_provider, api_base, "user", team_id, end_user, cache_hit, status,
                  metadata->>'user_api_key', jsonb_typeof(request_tags), call_type)
                FROM "LiteLLM_SpendLogs" WHERE request_id = 'req-1'
                """));
    }

    [Fact]
    public async Task CacheHitRow_StoresItsCacheKey_OtherRowsCacheOff()
    {
        var db = await LiteLlmDatabase();
        await using var source = Source(db);
        await InTransaction(db, (c, tx) =>
        {
            LiteLlmSpend.InsertLogs(c, tx, [Row("req-hit", 0) with { CacheHit = true, CacheKey = "ns:abc123" }, Row("req-miss", 10)], new SpendRowJson());
            return Task.CompletedTask;
        });

        Assert.Equal("True ns:abc123", server.Scalar(db, """SELECT concat_ws(' ', cache_hit, cache_key) FROM "LiteLLM_SpendLogs" WHERE request_id = 'req-hit'"""));
        Assert.Equal("False Cache OFF", server.Scalar(db, """SELECT concat_ws(' ', cache_hit, cache_key) FROM "LiteLLM_SpendLogs" WHERE request_id = 'req-miss'"""));
        var rows = await new PostgresSpendReports(source).LogsAsync(new SpendFilter(), 10);
        Assert.Equal("ns:abc123", rows.Single(r => r.RequestId == "req-hit").CacheKey);
        Assert.Null(rows.Single(r => r.RequestId == "req-miss").CacheKey);
    }

    [Fact]
    public async Task TwoReplicasAddingSpend_BothAmountsCount()
    {
        var token = TokenHash.FromKey("sk-shared").ToHex();
        var db = await LiteLlmDatabase($$"""
            INSERT INTO "LiteLLM_VerificationToken" (token, models, spend) VALUES ('{{token}}', '{}', 1.0);
            INSERT INTO "LiteLLM_TeamTable" (team_id, models, spend) VALUES ('team-a', '{}', 0);
            INSERT INTO "LiteLLM_UserTable" (user_id, models, spend) VALUES ('alice', '{}', 0);
            """);

        // Two writers, 40 batches each, interleaved on the same rows: increments, never read-modify-write.
        async Task Replica()
        {
            for (var i = 0; i < 40; i++)
            {
                await InTransaction(db, (c, tx) =>
                {
                    LiteLlmSpend.AddSpend(c, tx,
                    [
                    (CounterTable.Key, token, 250_000_000),
                    (CounterTable.Key, token, 250_000_000),
                    (CounterTable.Team, "team-a", 500_000_000),
                    (CounterTable.User, "alice", 500_000_000),
                    (CounterTable.Global, "", 500_000_000),
                    (CounterTable.TeamMember, TeamMember.MemberId("team-a", "alice"), 500_000_000),
                    ]);
                    return Task.CompletedTask;
                });
            }
        }
        // Not Task.Run: a writer there resumes on the socket thread after its async open, then waits on it synchronously.
        await Task.WhenAll(Replica(), Replica());

        var accounts = new Accounts();
        await using (var source = Source(db))
            await LiteLlmAccounts.LoadIntoAsync(source, accounts);
        Assert.Equal(41_000_000_000, accounts.Keys[TokenHash.FromKey("sk-shared")].Spend.Nanos);
        Assert.Equal(40_000_000_000, accounts.Teams["team-a"].Spend.Nanos);
        Assert.Equal(40_000_000_000, accounts.Users["alice"].Spend.Nanos);
        Assert.Equal(40_000_000_000, accounts.Global.Nanos);
        Assert.Equal(40_000_000_000, accounts.Members[("team-a", "alice")].Spend.Nanos);
    }
}
