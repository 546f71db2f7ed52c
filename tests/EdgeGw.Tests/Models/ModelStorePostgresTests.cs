using EdgeGw.Storage;
using EdgeGw.Storage.Postgres;
using EdgeGw.Tests.Infrastructure;
using EdgeGw.Tests.Postgres;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGw.Tests.Models;

/// <summary>The model store on PostgreSQL: LiteLLM's own <c>LiteLLM_ProxyModelTable</c>, shared with a LiteLLM proxy.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ModelStorePostgresTests(PostgresServer server) : ModelStoreContract, IAsyncDisposable
{
    private readonly List<PostgresStore> _stores = [];

    private protected override (IModelStore Store, Func<IModelStore> Reopen) NewStore()
    {
        var db = server.CreateDatabase();
        return (Open(db).GetAwaiter().GetResult(), () => Open(db).GetAwaiter().GetResult());
    }

    private async Task<PostgresModelStore> Open(string db)
    {
        var store = await PostgresStore.OpenAsync(server.Url(db));
        _stores.Add(store);
        return new PostgresModelStore(store.Source, store.Url);
    }

    private List<string> Columns(string db)
    {
        var lines = new List<string>();
        using var connection = new Npgsql.NpgsqlConnection(server.ConnectionString(db));
        connection.Open();
        using var command = new Npgsql.NpgsqlCommand("""
            SELECT column_name || ' ' || udt_name || ' null=' || is_nullable || ' default=' || COALESCE(column_default, '-')
            FROM information_schema.columns WHERE table_name = 'LiteLLM_ProxyModelTable' ORDER BY ordinal_position
            """, connection);
        using var r = command.ExecuteReader();
        while (r.Read())
            lines.Add(r.GetString(0));
        return lines;
    }

    [Fact]
    public async Task FreshDatabase_GetsTheModelTableWithLiteLlmsColumns()
    {
        var db = server.CreateDatabase();

        await Open(db);

        Assert.Equal([
            "model_id text null=NO default=-",
            "model_name text null=NO default=-",
            "litellm_params jsonb null=NO default=-",
            "model_info jsonb null=YES default=-",
            "blocked bool null=NO default=false",
            "created_at timestamp null=NO default=CURRENT_TIMESTAMP",
            "created_by text null=NO default=-",
            "updated_at timestamp null=NO default=CURRENT_TIMESTAMP",
            "updated_by text null=NO default=-",
        ], Columns(db));
    }

    [Fact]
    public async Task RowWrittenByLiteLlm_ReadBackAsStored()
    {
        var db = server.CreateDatabase();
        server.Execute(db, LiteLlmSchemaTests.FixtureSql);
        // As LiteLLM's /model/new leaves it through Prisma: a uuid id, JSON objects, created/updated by the admin, times and blocked from defaults.
        server.Execute(db, """
            INSERT INTO "LiteLLM_ProxyModelTable" (model_id, model_name, litellm_params, model_info, created_by, updated_by)
            VALUES ('5d3c7a0e-8f51-4c2b-9e0d-1a2b3c4d5e6f', 'claude-sonnet',
                    '{"model": "anthropic/claude-sonnet-4-5", "api_key": "c2VjcmV0LWZyb20tbGl0ZWxsbQ==", "rpm": 100}'::jsonb,
                    '{"id": "5d3c7a0e-8f51-4c2b-9e0d-1a2b3c4d5e6f", "db_model": true, "base_model": "claude-sonnet-4-5"}'::jsonb,
                    'default_user_id', 'default_user_id');
            """);
        var store = await Open(db);

        var model = Assert.Single(await store.ListAsync());

        Assert.Equal(("5d3c7a0e-8f51-4c2b-9e0d-1a2b3c4d5e6f", "claude-sonnet", "default_user_id", "default_user_id"),
            (model.ModelId, model.ModelName, model.CreatedBy, model.UpdatedBy));
        AssertJson("""{"model": "anthropic/claude-sonnet-4-5", "api_key": "c2VjcmV0LWZyb20tbGl0ZWxsbQ==", "rpm": 100}""", model.LitellmParamsJson);
        AssertJson("""{"id": "5d3c7a0e-8f51-4c2b-9e0d-1a2b3c4d5e6f", "db_model": true, "base_model": "claude-sonnet-4-5"}""", model.ModelInfoJson);
        Assert.Equal(TimeSpan.Zero, model.CreatedAt.Offset);
        Assert.InRange(model.CreatedAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
    }

    [Fact]
    public async Task JsonStoredAsOneJsonString_ReadBackAsTheObjectText()
    {
        var db = server.CreateDatabase();
        var store = await Open(db);
        // A JSON column given a serialized string holds a JSON string scalar, not an object.
        server.Execute(db, """
            INSERT INTO "LiteLLM_ProxyModelTable" (model_id, model_name, litellm_params, model_info, created_by, updated_by)
            VALUES ('m-str', 'gpt-4o', to_jsonb('{"model": "openai/gpt-4o"}'::text), to_jsonb('{"id": "m-str"}'::text), 'admin', 'admin');
            """);

        var model = await store.GetAsync("m-str");

        AssertJson("""{"model": "openai/gpt-4o"}""", model!.LitellmParamsJson);
        AssertJson("""{"id": "m-str"}""", model.ModelInfoJson);
    }

    [Fact]
    public async Task ModelWrittenByEdgeGw_IsALiteLlmRowWithJsonObjectsAndNotBlocked()
    {
        var db = server.CreateDatabase();
        var store = await Open(db);

        await store.InsertAsync(Model("m1"));

        Assert.Equal("object object false", server.Scalar(db, """
            SELECT jsonb_typeof(litellm_params) || ' ' || jsonb_typeof(model_info) || ' ' || blocked::text FROM "LiteLLM_ProxyModelTable" WHERE model_id = 'm1'
            """));
        Assert.Equal("openai/gpt-4o", server.Scalar(db, """SELECT litellm_params->>'model' FROM "LiteLLM_ProxyModelTable" WHERE model_id = 'm1'"""));
    }

    [Fact]
    public async Task ExistingLiteLlmTableFromBeforeBlocked_AcceptedUnchangedWithItsRows()
    {
        var db = server.CreateDatabase();
        server.Execute(db, LiteLlmSchemaTests.FixtureSql);
        server.Execute(db, """
            ALTER TABLE "LiteLLM_ProxyModelTable" DROP COLUMN "blocked";
            INSERT INTO "LiteLLM_ProxyModelTable" (model_id, model_name, litellm_params, created_by, updated_by)
            VALUES ('old', 'gpt-4o', '{"model": "openai/gpt-4o"}', 'admin', 'admin');
            """);
        var before = Columns(db);

        var store = await Open(db);

        Assert.Equal(before, Columns(db));
        Assert.DoesNotContain(before, c => c.StartsWith("blocked", StringComparison.Ordinal));
        Assert.Equal("gpt-4o", (await store.GetAsync("old"))!.ModelName);
        Assert.True(await store.InsertAsync(Model("new")));
        Assert.Equal(2, (await store.ListAsync()).Count);
    }

    [Fact]
    public async Task ExistingTableMissingAColumnEdgeGwUses_StartFailsNamingIt()
    {
        var db = server.CreateDatabase();
        server.Execute(db, LiteLlmSchemaTests.FixtureSql);
        server.Execute(db, """ALTER TABLE "LiteLLM_ProxyModelTable" DROP COLUMN "model_info";""");

        var e = await Assert.ThrowsAsync<StoreException>(() => Open(db));

        Assert.Contains("LiteLLM_ProxyModelTable.model_info", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelWrittenOnOneReplica_AnnouncedToTheOthersAsAModelChange()
    {
        var db = server.CreateDatabase();
        await Open(db);
        var writer = _stores[^1];
        await Open(db);
        var other = _stores[^1];
        await using var listening = new PostgresAccountChanges(other.Source, other.Url, NullLogger.Instance);
        var sink = new RecordingSink();
        listening.Start(sink);
        await sink.Listening.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await using var announcing = new PostgresAccountChanges(writer.Source, writer.Url, NullLogger.Instance);
        var store = new PostgresModelStore(writer.Source, writer.Url, announcing);

        await store.InsertAsync(Model("m1"));
        await store.UpdateAsync("m1", "gpt-4o", "{}", null, DateTimeOffset.UtcNow, "admin");
        await store.DeleteAsync("m1");
        // Writes that change nothing announce nothing.
        await store.DeleteAsync("m1");
        await store.UpdateAsync("gone", "x", "{}", null, DateTimeOffset.UtcNow, "admin");
        await store.InsertAsync(Model("m2"));

        for (var i = 0; i < 200 && sink.Heard.Count < 4; i++)
            await Task.Delay(25);
        Assert.Equal(["model:m1", "model:m1", "model:m1", "model:m2"], sink.Heard.Select(c => c.ToPayload()));
    }

    private sealed class RecordingSink : IAccountChangeSink
    {
        public readonly System.Collections.Concurrent.ConcurrentQueue<AccountChange> Heard = new();
        public readonly TaskCompletionSource Listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task ChangedAsync(AccountChange change, CancellationToken cancel)
        {
            Heard.Enqueue(change);
            return Task.CompletedTask;
        }

        public Task ReloadAllAsync(CancellationToken cancel)
        {
            Listening.TrySetResult();
            return Task.CompletedTask;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
            await store.DisposeAsync();
    }
}
