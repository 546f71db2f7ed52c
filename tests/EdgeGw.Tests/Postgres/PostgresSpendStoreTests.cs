using System.Diagnostics;
using System.Globalization;
using EdgeGw.Auth;
using EdgeGw.Spend;
using EdgeGw.Storage;
using EdgeGw.Storage.Postgres;
using EdgeGw.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace EdgeGw.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public class PostgresSpendStoreTests(PostgresServer server, ITestOutputHelper output)
{
    internal static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-11-30T09:00:00.250Z", CultureInfo.InvariantCulture);
    internal static readonly string Token = TokenHash.FromKey("sk-spender").ToHex();

    internal static SpendRow Row(string requestId, long nanos, DateTimeOffset? start = null, string? user = "alice", string? team = "team-a",
        string? endUser = "customer-9", string model = "gpt-4o-2024-08-06", string status = "success", params string[] tags)
    {
        var attribution = new RequestAttribution();
        attribution.OfferTags([.. tags], RequestAttribution.TagsFromBody);
        var at = start ?? Start;
        return new SpendRow
        {
            RequestId = requestId,
            ApiKey = Token,
            SpendNanos = nanos,
            PromptTokens = 120,
            CompletionTokens = 30,
            StartTime = at,
            EndTime = at.AddMilliseconds(1500),
            Model = model,
            ModelGroup = "gpt-4o",
            ModelId = "deployment-1",
            ApiBase = "https://api.openai.com",
            Provider = "openai",
            User = user,
            TeamId = team,
            EndUser = endUser,
            Status = status,
            Attribution = attribution,
        };
    }

    private string LiteLlmDatabase()
    {
        var db = server.CreateDatabase();
        server.Execute(db, LiteLlmSchemaTests.FixtureSql);
        server.Execute(db, $"""
            INSERT INTO "LiteLLM_VerificationToken" (token, models, spend) VALUES ('{Token}', '{"{}"}', 0);
            INSERT INTO "LiteLLM_TeamTable" (team_id, team_alias, models, spend) VALUES ('team-a', 'Alpha', '{"{}"}', 0);
            INSERT INTO "LiteLLM_UserTable" (user_id, models, spend) VALUES ('alice', '{"{}"}', 0);
            """);
        return db;
    }

    // Through the gateway's own (slim) data source, as the wiring builds it.
    private NpgsqlDataSource Source(string db, int? port = null)
    {
        var url = server.Url(db);
        if (port is not null)
            url = url.Replace($":{server.Port}/", $":{port}/", StringComparison.Ordinal);
        Assert.True(DatabaseUrl.TryParse(url, out var parsed, out var error), error);
        return PostgresStore.Build(parsed);
    }

    // A request's work as the ledger hands it over: the row and the amounts it added to its key, team, user and the proxy.
    internal static SpendRow Charge(SpendRow row, SpendCounter key, SpendCounter team, SpendCounter user, SpendCounter global) => row with
    {
        Counters =
        [
            new CounterUpdate(CounterTable.Key, row.ApiKey, key.Add(row.SpendNanos)),
            new CounterUpdate(CounterTable.Team, "team-a", team.Add(row.SpendNanos)),
            new CounterUpdate(CounterTable.User, "alice", user.Add(row.SpendNanos)),
            new CounterUpdate(CounterTable.Global, "1", global.Add(row.SpendNanos)),
        ],
    };

    private static SpendRow Charge(SpendRow row) => Charge(row, new SpendCounter(), new SpendCounter(), new SpendCounter(), new SpendCounter());

    private string Text(string db, string sql) => Convert.ToString(server.Scalar(db, sql), CultureInfo.InvariantCulture) ?? "";

    [Fact]
    public void Batch_LandsInLiteLlmTables_RowsCountersAndDailyAggregates()
    {
        var db = LiteLlmDatabase();
        using var source = Source(db);
        var store = new PostgresSpendStore(source);

        var rows = store.WriteBatch(
        [
            Charge(Row("req-1", 250_000_000, tags: ["prod", "web"])),
            Charge(Row("req-2", 500_000_000, tags: ["prod"])),
            Charge(Row("req-3", 0, status: "failure", endUser: null)),
            Charge(Row("req-4", 125_000_000, start: Start.AddDays(1), team: null)),
        ], () => true);

        Assert.Equal(4, rows);
        Assert.Equal(4L, server.Scalar(db, """SELECT count(*) FROM "LiteLLM_SpendLogs" """));
        Assert.Equal("0.875 0.875 0.875", Text(db, $"""
            SELECT concat_ws(' ', (SELECT spend FROM "LiteLLM_VerificationToken" WHERE token = '{Token}'),
              (SELECT spend FROM "LiteLLM_UserTable" WHERE user_id = 'alice'),
              (SELECT spend FROM "LiteLLM_UserTable" WHERE user_id = 'litellm-proxy-budget'))
            """));
        // Team spend is counted where the work says so, whatever the row's team column.
        Assert.Equal("0.875", Text(db, """SELECT spend FROM "LiteLLM_TeamTable" WHERE team_id = 'team-a'"""));
        Assert.Equal("2026-11-30 alice 0.75 360 90 3 2 1 openai gpt-4o  |2026-12-01 alice 0.125 120 30 1 1 0 openai gpt-4o  ", Text(db, """
            SELECT string_agg(concat_ws(' ', date, user_id, spend, prompt_tokens, completion_tokens, api_requests, successful_requests,
              failed_requests, custom_llm_provider, model_group, mcp_namespaced_tool_name, endpoint), '|' ORDER BY date)
            FROM "LiteLLM_DailyUserSpend"
            """));
        Assert.Equal("2026-11-30 team-a 0.75 3", Text(db, """
            SELECT string_agg(concat_ws(' ', date, team_id, spend, api_requests), '|' ORDER BY date) FROM "LiteLLM_DailyTeamSpend"
            """));
        Assert.Equal("prod 0.75 2|web 0.25 1", Text(db, """
            SELECT string_agg(concat_ws(' ', tag, spend, api_requests), '|' ORDER BY tag) FROM "LiteLLM_DailyTagSpend"
            """));
        Assert.Equal("2026-11-30 customer-9 0.75 2|2026-12-01 customer-9 0.125 1", Text(db, """
            SELECT string_agg(concat_ws(' ', date, end_user_id, spend, api_requests), '|' ORDER BY date) FROM "LiteLLM_DailyEndUserSpend"
            """));
    }

    [Fact]
    public void DailyAggregates_NextBatchAddsToTheSameDayRow()
    {
        var db = LiteLlmDatabase();
        using var source = Source(db);

        new PostgresSpendStore(source).WriteBatch([Charge(Row("req-1", 250_000_000))], () => true);
        new PostgresSpendStore(source).WriteBatch([Charge(Row("req-2", 250_000_000))], () => true);

        Assert.Equal("1 0.5 2 240", Text(db, """
            SELECT concat_ws(' ', count(*), sum(spend), sum(api_requests), sum(prompt_tokens)) FROM "LiteLLM_DailyUserSpend"
            """));
    }

    [Fact]
    public void DisableSpendLogs_NoSpendLogRow_CountersAndDailyAggregatesStillCount()
    {
        var db = LiteLlmDatabase();
        using var source = Source(db);
        var work = Charge(Row("req-1", 250_000_000));

        var rows = new PostgresSpendStore(source).WriteBatch([work with { StoresRow = false }], () => true);

        Assert.Equal(0, rows);
        Assert.Equal(0L, server.Scalar(db, """SELECT count(*) FROM "LiteLLM_SpendLogs" """));
        Assert.Equal(0.25, server.Scalar(db, $"""SELECT spend FROM "LiteLLM_VerificationToken" WHERE token = '{Token}'"""));
        Assert.Equal(0.25, server.Scalar(db, """SELECT spend FROM "LiteLLM_DailyUserSpend" """));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CommitCutMidway_RetryOfTheSameBatch_CountsOnce(bool commitLanded)
    {
        var db = LiteLlmDatabase();
        using var proxy = new CommitCuttingProxy(server.Port);
        using var source = Source(db, proxy.Port);
        var store = new PostgresSpendStore(source);
        List<SpendWork> batch = [Charge(Row("req-1", 250_000_000)), Charge(Row("req-2", 500_000_000)), new SpendWork { Counters = [] }];

        if (commitLanded)
            proxy.CutAfterNextCommit();
        else
            proxy.CutBeforeNextCommit();
        Assert.ThrowsAny<NpgsqlException>(() => store.WriteBatch(batch, () => true));
        Assert.True(proxy.Cut);
        Assert.Equal(commitLanded ? 2L : 0L, server.Scalar(db, """SELECT count(*) FROM "LiteLLM_SpendLogs" """));

        // The writer retries the same items, with what queued meanwhile behind them. The server may not have
        // noticed the cut connection yet (its transaction still "in progress"): the writer then waits and
        // retries, as here (bounded).
        List<SpendWork> retry = [.. batch, Charge(Row("req-3", 125_000_000))];
        var rows = 0;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                rows = store.WriteBatch(retry, () => true);
                break;
            }
            catch (StoreException) when (attempt < 50)
            {
                Thread.Sleep(100);
            }
        }

        Assert.Equal(3, rows);
        Assert.Equal(3L, server.Scalar(db, """SELECT count(*) FROM "LiteLLM_SpendLogs" """));
        Assert.Equal(0.875, server.Scalar(db, $"""SELECT spend FROM "LiteLLM_VerificationToken" WHERE token = '{Token}'"""));
        Assert.Equal(0.875, server.Scalar(db, """SELECT spend FROM "LiteLLM_UserTable" WHERE user_id = 'litellm-proxy-budget'"""));
        Assert.Equal(0.875, server.Scalar(db, """SELECT sum(spend) FROM "LiteLLM_DailyUserSpend" """));
    }

    [Fact]
    public async Task WriterUnderLoad_CommitsCutBeforeAndAfterLanding_EveryRowAndAmountCountedOnce()
    {
        var db = LiteLlmDatabase();
        using var proxy = new CommitCuttingProxy(server.Port);
        using var source = Source(db, proxy.Port);
        var writer = new SpendWriter(new PostgresSpendStore(source), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        SpendCounter key = new(), team = new(), user = new(), global = new();
        const int Requests = 300;

        for (var i = 0; i < Requests; i++)
        {
            await writer.EnqueueAsync(Charge(Row($"load-{i}", 125_000_000), key, team, user, global));
            if (i == 100)
                proxy.CutAfterNextCommit();
            if (i == 200)
                proxy.CutBeforeNextCommit();
            if (i % 25 == 0)
                await Task.Delay(30); // several batches
        }
        await writer.DisposeAsync(); // drains, retrying until the queue is stored

        Assert.True(writer.FailedCommits >= 1);
        Assert.Equal((long)Requests, server.Scalar(db, """SELECT count(*) FROM "LiteLLM_SpendLogs" """));
        Assert.Equal(Requests * 0.125, server.Scalar(db, $"""SELECT spend FROM "LiteLLM_VerificationToken" WHERE token = '{Token}'"""));
        Assert.Equal(Requests * 0.125, server.Scalar(db, """SELECT spend FROM "LiteLLM_UserTable" WHERE user_id = 'litellm-proxy-budget'"""));
        Assert.Equal((long)Requests, server.Scalar(db, """SELECT sum(api_requests)::bigint FROM "LiteLLM_DailyUserSpend" """));
    }

    [Fact]
    public async Task TwoReplicasWritingConcurrently_TotalsAreExact()
    {
        var db = LiteLlmDatabase();
        using var source = Source(db);
        const int Batches = 30, PerBatch = 50;

        // Each replica its own store and in-memory counters, as two processes; amounts exact in binary.
        void Replica(string name)
        {
            var store = new PostgresSpendStore(source);
            SpendCounter key = new(), team = new(), user = new(), global = new();
            for (var b = 0; b < Batches; b++)
            {
                var batch = new List<SpendWork>();
                for (var i = 0; i < PerBatch; i++)
                    batch.Add(Charge(Row($"{name}-{b}-{i}", 125_000_000, tags: ["shared"]), key, team, user, global));
                store.WriteBatch(batch, () => true);
            }
        }
        await Task.WhenAll(Task.Run(() => Replica("a")), Task.Run(() => Replica("b")));

        const double Expected = 2 * Batches * PerBatch * 0.125;
        Assert.Equal(2L * Batches * PerBatch, server.Scalar(db, """SELECT count(*) FROM "LiteLLM_SpendLogs" """));
        Assert.Equal(Expected, server.Scalar(db, $"""SELECT spend FROM "LiteLLM_VerificationToken" WHERE token = '{Token}'"""));
        Assert.Equal(Expected, server.Scalar(db, """SELECT spend FROM "LiteLLM_TeamTable" WHERE team_id = 'team-a'"""));
        Assert.Equal(Expected, server.Scalar(db, """SELECT spend FROM "LiteLLM_UserTable" WHERE user_id = 'alice'"""));
        Assert.Equal(Expected, server.Scalar(db, """SELECT spend FROM "LiteLLM_UserTable" WHERE user_id = 'litellm-proxy-budget'"""));
        Assert.Equal($"1 {Expected.ToString(CultureInfo.InvariantCulture)} {2 * Batches * PerBatch}", Text(db, """
            SELECT concat_ws(' ', count(*), sum(spend), sum(api_requests)) FROM "LiteLLM_DailyTagSpend"
            """));
    }

    [Fact]
    public void BudgetWindowEndSeenByTwoReplicas_ResetsOnce_SpendAfterItCounts()
    {
        var db = LiteLlmDatabase();
        var due = Start;
        server.Execute(db, $"""
            UPDATE "LiteLLM_VerificationToken" SET spend = 5, budget_duration = '1d', budget_reset_at = '2026-11-30 09:00:00.25' WHERE token = '{Token}'
            """);
        using var source = Source(db);
        Assert.True(BudgetDuration.TryParse("1d", out var day));
        var now = due.AddMinutes(1);

        // Both replicas loaded spend 5 and the window's end; both see it pass.
        SpendCounter a = new(5_000_000_000, due.ToUnixTimeMilliseconds()), b = new(5_000_000_000, due.ToUnixTimeMilliseconds());
        var resetA = a.ResetIfDue(day, now, BudgetClock.Utc)!.Value;
        var resetB = b.ResetIfDue(day, now, BudgetClock.Utc)!.Value;
        new PostgresSpendStore(source).WriteBatch(
        [
            new SpendWork { Counters = [new CounterUpdate(CounterTable.Key, Token, resetA)] },
            new SpendWork { Counters = [new CounterUpdate(CounterTable.Key, Token, a.Add(1_000_000_000))] },
        ], () => true);
        new PostgresSpendStore(source).WriteBatch(
        [
            new SpendWork { Counters = [new CounterUpdate(CounterTable.Key, Token, resetB)] },
            new SpendWork { Counters = [new CounterUpdate(CounterTable.Key, Token, b.Add(2_000_000_000))] },
        ], () => true);

        Assert.Equal("3 2026-12-01 00:00:00", Text(db, $"""
            SELECT concat_ws(' ', spend, budget_reset_at) FROM "LiteLLM_VerificationToken" WHERE token = '{Token}'
            """));
    }

    [Fact]
    public void AdminSetsSpend_AmountsBeforeItInTheBatchAreReplaced_AfterItAdded()
    {
        var db = LiteLlmDatabase();
        using var source = Source(db);
        var counter = new SpendCounter();

        new PostgresSpendStore(source).WriteBatch(
        [
            new SpendWork { Counters = [new CounterUpdate(CounterTable.Key, Token, counter.Add(4_000_000_000))] },
            new SpendWork { Counters = [new CounterUpdate(CounterTable.Key, Token, counter.Set(1_000_000_000, null, false, Start, BudgetClock.Utc))] },
            new SpendWork { Counters = [new CounterUpdate(CounterTable.Key, Token, counter.Add(500_000_000))] },
        ], () => true);

        Assert.Equal(1.5, server.Scalar(db, $"""SELECT spend FROM "LiteLLM_VerificationToken" WHERE token = '{Token}'"""));
    }

    [Fact]
    public void SpendRowsPerSecond_Measured()
    {
        var db = LiteLlmDatabase();
        using var source = Source(db);
        var store = new PostgresSpendStore(source);
        const int Batches = 20, PerBatch = 2048;
        SpendCounter key = new(), team = new(), user = new(), global = new();
        var batches = Enumerable.Range(0, Batches)
            .Select(b => Enumerable.Range(0, PerBatch).Select(i => Charge(Row($"bench-{b}-{i}", 1_000, tags: ["bench"]), key, team, user, global)).ToList())
            .ToList();
        store.WriteBatch(batches[0], () => true); // warm: connection, discovery

        var clock = Stopwatch.StartNew();
        var rows = batches.Skip(1).Sum(batch => store.WriteBatch(batch, () => true));
        clock.Stop();

        Assert.Equal((Batches - 1) * PerBatch, rows);
        output.WriteLine($"PostgreSQL spend rows/s: {rows / clock.Elapsed.TotalSeconds:0} ({Batches - 1} batches of {PerBatch} rows with counters and daily aggregates, {clock.Elapsed.TotalMilliseconds / (Batches - 1):0.0} ms a batch)");
    }
}
