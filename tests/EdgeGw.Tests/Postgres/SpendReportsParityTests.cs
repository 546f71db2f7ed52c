using System.Text.Json.Nodes;
using EdgeGw.Storage;
using EdgeGw.Storage.Postgres;
using EdgeGw.Tests.Infrastructure;
using static EdgeGw.Tests.Postgres.PostgresSpendStoreTests;

namespace EdgeGw.Tests.Postgres;

/// <summary>The same rows written through each store read back the same through each store's reports.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SpendReportsParityTests(PostgresServer server) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edgegw-parity-").FullName;

    private static List<SpendWork> Works() =>
    [
        Row("r-1", 1_234_500, tags: ["prod"]),
        Row("r-2", 250_000_000, start: Start.AddMinutes(1), user: "bob", model: "claude-3-5-sonnet"),
        Row("r-3", 0, start: Start.AddMinutes(2), status: "failure", team: null, endUser: null),
        Row("r-4", 500_000_000, start: Start.AddDays(1), team: "team-b", endUser: "customer-2"),
        Row("r-5", 125_000_000, start: Start.AddDays(1).AddMinutes(5), user: null),
    ];

    private static readonly SpendFilter[] Filters =
    [
        new(),
        new() { TeamId = "team-a" },
        new() { UserId = "bob" },
        new() { EndUser = "customer-9" },
        new() { RequestId = "r-4" },
        new() { ApiKey = Token, StartMs = Start.AddMinutes(1).ToUnixTimeMilliseconds(), EndMs = Start.AddDays(1).ToUnixTimeMilliseconds() },
        new() { Model = "claude-3-5-sonnet" },
        new() { Status = "failure" },
        new() { Status = "success", TeamIds = ["team-a", "team-b"] },
        new() { MinSpendNanos = 125_000_000, MaxSpendNanos = 250_000_000 },
        new() { MaxSpendNanos = 0 },
    ];

    [Fact]
    public async Task SameRows_BothStoresReportTheSame()
    {
        using var sqlite = SqliteStore.Open(Path.Combine(_folder, "edgegw.db"));
        sqlite.Run(c =>
        {
            using var command = Sql.Command(c, "INSERT INTO teams (team_id, team_alias, created_at, updated_at) VALUES ('team-a', 'Alpha', 0, 0)");
            return command.ExecuteNonQuery();
        });
        new SqliteSpendStore(sqlite).WriteBatch(Works(), () => true);
        var db = server.CreateDatabase();
        server.Execute(db, LiteLlmSchemaTests.FixtureSql);
        server.Execute(db, """INSERT INTO "LiteLLM_TeamTable" (team_id, team_alias, models) VALUES ('team-a', 'Alpha', '{}')""");
        Assert.True(DatabaseUrl.TryParse(server.Url(db), out var url, out var error), error);
        await using var source = PostgresStore.Build(url);
        new PostgresSpendStore(source).WriteBatch(Works(), () => true);

        await AssertSameReports(new SqliteSpendReports(sqlite), new PostgresSpendReports(source));
    }

    private static async Task AssertSameReports(ISpendReports expected, ISpendReports actual)
    {
        foreach (var filter in Filters)
        {
            var want = await expected.LogsAsync(filter, 100);
            var got = await actual.LogsAsync(filter, 100);
            Assert.NotEmpty(want);
            Assert.Equal(want.Select(WithoutJson), got.Select(WithoutJson));
            // jsonb reorders and respaces: the same JSON, not the same text.
            Assert.All(want.Zip(got), p => Assert.True(JsonNode.DeepEquals(JsonNode.Parse(p.First.MetadataJson), JsonNode.Parse(p.Second.MetadataJson))));
            Assert.All(want.Zip(got), p => Assert.True(JsonNode.DeepEquals(JsonNode.Parse(p.First.RequestTagsJson), JsonNode.Parse(p.Second.RequestTagsJson))));
            Assert.Equal(want[0].RequestId, Assert.Single(await actual.LogsAsync(filter, 1)).RequestId);
            Assert.Equal(want.Count, await actual.CountAsync(filter));
            Assert.Equal(want.Skip(1).Select(r => r.RequestId), (await actual.LogsAsync(filter, 100, offset: 1)).Select(r => r.RequestId));
            foreach (var entity in new[] { "user", "team_id" })
                Assert.Equal(await expected.ActivityAsync(filter, entity), await actual.ActivityAsync(filter, entity));
            foreach (var column in new[] { "model", "model_group", "user", "team_id", "end_user" })
            {
                Assert.Equal(await expected.TotalsAsync(filter, column, byDay: true), await actual.TotalsAsync(filter, column, byDay: true));
                Assert.Equal(await expected.TotalsAsync(filter, column, byDay: false, limit: 2), await actual.TotalsAsync(filter, column, byDay: false, limit: 2));
            }
            foreach (var column in new[] { null, "user", "team_id", "end_user" })
            {
                Assert.Equal(await expected.BreakdownAsync(filter, column, byDay: true), await actual.BreakdownAsync(filter, column, byDay: true));
                Assert.Equal(await expected.BreakdownAsync(filter, column, byDay: false), await actual.BreakdownAsync(filter, column, byDay: false));
            }
        }
    }

    [Fact]
    public async Task EmptyTeamList_MatchesNoRowInEitherStore()
    {
        using var sqlite = SqliteStore.Open(Path.Combine(_folder, "edgegw.db"));
        new SqliteSpendStore(sqlite).WriteBatch(Works(), () => true);
        var db = server.CreateDatabase();
        server.Execute(db, LiteLlmSchemaTests.FixtureSql);
        Assert.True(DatabaseUrl.TryParse(server.Url(db), out var url, out var error), error);
        await using var source = PostgresStore.Build(url);
        new PostgresSpendStore(source).WriteBatch(Works(), () => true);

        foreach (var reports in new ISpendReports[] { new SqliteSpendReports(sqlite), new PostgresSpendReports(source) })
        {
            Assert.Equal(0, await reports.CountAsync(new SpendFilter { TeamIds = [] }));
            Assert.Empty(await reports.ActivityAsync(new SpendFilter { TeamIds = [] }, "team_id"));
        }
    }

    private static SpendRow WithoutJson(SpendRow row) => row with { MetadataJson = "", RequestTagsJson = "" };

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
