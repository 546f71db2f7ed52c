using EdgeGw.Storage.Postgres;
using EdgeGw.Tests.Infrastructure;
using Npgsql;

namespace EdgeGw.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public class LiteLlmSchemaTests(PostgresServer server)
{
    public static string FixtureSql => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "litellm_schema.sql"));

    /// <summary>Every column (position, type, precision, nullability, default), index and constraint of the schema, one line each.</summary>
    private List<string> Catalog(string database, string schema = "public")
    {
        using var connection = new NpgsqlConnection(server.ConnectionString(database));
        connection.Open();
        using var command = new NpgsqlCommand("""
            SELECT 'column ' || table_name || '.' || column_name || ' #' || ordinal_position || ' ' || data_type || ' ' || udt_name
                   || ' p' || COALESCE(datetime_precision::text, '-') || ' null=' || is_nullable || ' default=' || COALESCE(column_default, '-')
              FROM information_schema.columns WHERE table_schema = @schema
            UNION ALL
            SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = @schema
            UNION ALL
            SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
              FROM pg_constraint WHERE connamespace = (SELECT oid FROM pg_namespace WHERE nspname = @schema)
            ORDER BY 1
            """, connection);
        command.Parameters.AddWithValue("schema", schema);
        var lines = new List<string>();
        using var r = command.ExecuteReader();
        while (r.Read())
            lines.Add(r.GetString(0));
        return lines;
    }

    private async Task Ensure(string database, string? schema = null)
    {
        var url = server.Url(database) + (schema is null ? "" : "?schema=" + schema);
        await using var store = await PostgresStore.OpenAsync(url);
    }

    [Fact]
    public async Task EmptyDatabase_GetsLiteLlmTablesExactlyAsPrismaCreatesThem()
    {
        var prisma = server.CreateDatabase();
        server.Execute(prisma, FixtureSql);
        var edgegw = server.CreateDatabase();

        await Ensure(edgegw);

        var expected = Catalog(prisma);
        var actual = Catalog(edgegw);
        Assert.True(expected.Count > 200, $"the fixture catalog has only {expected.Count} entries");
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task SecondStart_ChangesNothingAndKeepsRows()
    {
        var db = server.CreateDatabase();
        await Ensure(db);
        server.Execute(db, """INSERT INTO "LiteLLM_TeamTable" (team_id, models) VALUES ('kept', '{gpt-4o}')""");
        var before = Catalog(db);

        await Ensure(db);

        Assert.Equal(before, Catalog(db));
        Assert.Equal(1L, server.Scalar(db, """SELECT count(*) FROM "LiteLLM_TeamTable" WHERE team_id = 'kept'"""));
    }

    [Fact]
    public async Task ReplicasStartingTogether_AllSucceedAndCreateEachTableOnce()
    {
        var db = server.CreateDatabase();
        using var go = new ManualResetEventSlim();
        var starts = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            go.Wait();
            await Ensure(db);
        })).ToArray();
        go.Set();

        await Task.WhenAll(starts);

        Assert.Equal(17L, server.Scalar(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'LiteLLM\\_%'"));
        var fixture = server.CreateDatabase();
        server.Execute(fixture, FixtureSql);
        Assert.Equal(Catalog(fixture), Catalog(db));
    }

    [Fact]
    public async Task DatabaseMadeByNewerLiteLlm_IsLeftAsItIs()
    {
        var db = server.CreateDatabase();
        server.Execute(db, FixtureSql);
        // A column and a table a later LiteLLM release might add.
        server.Execute(db, """
            ALTER TABLE "LiteLLM_VerificationToken" ADD COLUMN "future_setting" JSONB NOT NULL DEFAULT '{}';
            CREATE TABLE "LiteLLM_FutureTable" ("id" TEXT NOT NULL PRIMARY KEY);
            INSERT INTO "LiteLLM_VerificationToken" (token, models) VALUES ('abc', '{}');
            """);
        var before = Catalog(db);

        await Ensure(db);

        Assert.Equal(before, Catalog(db));
        Assert.Equal(1L, server.Scalar(db, """SELECT count(*) FROM "LiteLLM_VerificationToken" """));
    }

    [Fact]
    public async Task DatabaseMadeByOlderLiteLlm_FailsNamingTheMissingColumns()
    {
        var db = server.CreateDatabase();
        server.Execute(db, FixtureSql);
        server.Execute(db, """
            ALTER TABLE "LiteLLM_TeamTable" DROP COLUMN "blocked";
            ALTER TABLE "LiteLLM_VerificationToken" DROP COLUMN "budget_id";
            """);

        var e = await Assert.ThrowsAsync<EdgeGw.Storage.StoreException>(() => Ensure(db));

        Assert.Contains("LiteLLM_TeamTable.blocked, LiteLLM_VerificationToken.budget_id", e.Message, StringComparison.Ordinal);
        Assert.Contains("LiteLLM's migrations", e.Message, StringComparison.Ordinal);
        Assert.Equal(0L, server.Scalar(db, """
            SELECT count(*) FROM information_schema.columns WHERE table_name = 'LiteLLM_TeamTable' AND column_name = 'blocked'
            """));
    }

    [Fact]
    public async Task OlderDatabaseLackingOnlyColumnsEdgeGwDoesNotUse_OpensUnchanged()
    {
        var db = server.CreateDatabase();
        server.Execute(db, FixtureSql);
        server.Execute(db, """
            ALTER TABLE "LiteLLM_SpendLogs" DROP COLUMN "session_id";
            DROP TABLE "LiteLLM_DailyEndUserSpend";
            """);
        var before = Catalog(db);

        await Ensure(db);

        // The missing table is created with its indexes; the existing one keeps its older shape.
        var after = Catalog(db);
        Assert.Empty(before.Except(after));
        Assert.All(after.Except(before), line => Assert.Contains("LiteLLM_DailyEndUserSpend", line, StringComparison.Ordinal));
        Assert.Contains(after, line => line.StartsWith("index LiteLLM_DailyEndUserSpend_end_user_id_date_idx", StringComparison.Ordinal));
        Assert.DoesNotContain(after, line => line.Contains("session_id", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SchemaParameter_CreatesTheTablesInThatSchema()
    {
        var db = server.CreateDatabase();

        await Ensure(db, "litellm");

        Assert.Equal(17L, server.Scalar(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'litellm'"));
        Assert.Equal(0L, server.Scalar(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));
        Assert.Equal(17L, server.Scalar(db, """
            SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = (SELECT oid FROM pg_namespace WHERE nspname = 'litellm')
            """));
    }

    [Fact]
    public async Task UnreachableServer_FailsNamingHostWithoutPassword()
    {
        // A loopback port nothing listens on.
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var closed = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var e = await Assert.ThrowsAsync<EdgeGw.Storage.StoreException>(() =>
            PostgresStore.OpenAsync($"postgresql://edgegw:hunter2-secret@127.0.0.1:{closed}/litellm?connect_timeout=2"));

        Assert.Contains($"127.0.0.1:{closed}/litellm", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
    }
}
