using System.Net;
using System.Text.Json;
using EdgeGw.Storage;
using EdgeGw.Tests.Infrastructure;
using EdgeGw.Tests.Postgres;
using static EdgeGw.Tests.Models.RunTimeModels;

namespace EdgeGw.Tests.Models;

/// <summary><c>edgegw db copy</c> of the run-time models, both ways: rows move with their ciphertext unchanged and serve at the other end.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ModelCopyTests(PostgresServer server) : IAsyncLifetime
{
    private FakeUpstream _upstream = null!;
    private readonly List<string> _paths = [];

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        _upstream.RespondJson(Completion);
    }

    public async Task DisposeAsync()
    {
        await _upstream.DisposeAsync();
        foreach (var path in _paths)
            TestGateway.DeleteDatabase(path);
    }

    private string NewPath()
    {
        var path = TestGateway.NewDatabasePath();
        _paths.Add(path);
        return path;
    }

    private static async Task<StoredModel> SqliteRowAsync(string path, string id)
    {
        using var sqlite = SqliteStore.Open(path);
        return await new SqliteModelStore(sqlite).GetAsync(id) ?? throw new InvalidOperationException($"no row {id} in {path}");
    }

    private string PostgresParams(string db, string id) =>
        (string)server.Scalar(db, $"""SELECT litellm_params::text FROM "LiteLLM_ProxyModelTable" WHERE model_id = '{id}'""")!;

    /// <summary>Each string value of litellm_params, as stored (encrypted).</summary>
    private static Dictionary<string, string> Strings(string litellmParamsJson)
    {
        using var json = JsonDocument.Parse(litellmParamsJson);
        return json.RootElement.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String)
            .ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
    }

    private static async Task AssertServedAsync(TestGateway gateway, string upstreamKey, FakeUpstream upstream)
    {
        using var response = await ChatAsync(gateway);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer " + upstreamKey, upstream.LastRequest.Headers["authorization"]);
    }

    [Fact]
    public async Task ModelCopiedSqliteToPostgresAndBack_KeepsItsCiphertextAndServes()
    {
        var path = NewPath();
        await using (var embedded = await TestGateway.StartAsync(AdminClient.CheapModel, StoreInDb, databasePath: path))
            await embedded.PostAdminAsync("/model/new", NewModel(_upstream));
        var original = Strings((await SqliteRowAsync(path, "m-1")).LitellmParamsJson);
        var db = server.CreateDatabase();

        var there = await DatabaseCopyTests.CopyAsync("copy", "--from", "sqlite:" + path, "--to", server.Url(db));
        var again = await DatabaseCopyTests.CopyAsync("copy", "--from", "sqlite:" + path, "--to", server.Url(db));

        Assert.True(there.Exit == 0, there.Errors);
        Assert.Contains("1 models copied (0 already present)", there.Output, StringComparison.Ordinal);
        Assert.Contains("0 models copied (1 already present)", again.Output, StringComparison.Ordinal);
        Assert.Equal(original, Strings(PostgresParams(db, "m-1")));
        await using (var onPostgres = await StartAsync(server.Url(db)))
            await AssertServedAsync(onPostgres, UpstreamKey, _upstream);

        var back = NewPath();
        var copiedBack = await DatabaseCopyTests.CopyAsync("copy", "--from", server.Url(db), "--to", "sqlite:" + back);

        Assert.True(copiedBack.Exit == 0, copiedBack.Errors);
        Assert.Contains("1 models copied (0 already present)", copiedBack.Output, StringComparison.Ordinal);
        Assert.Equal(original, Strings((await SqliteRowAsync(back, "m-1")).LitellmParamsJson));
        await using var onSqlite = await TestGateway.StartAsync(AdminClient.CheapModel, StoreInDb, databasePath: back);
        await AssertServedAsync(onSqlite, UpstreamKey, _upstream);
    }

    [Fact]
    public async Task LiteLlmRowsCopiedToSqlite_ServeUnderTheSaltKeyAndBlockedStayBehind()
    {
        var db = server.CreateDatabase();
        server.Execute(db, LiteLlmSchemaTests.FixtureSql);
        server.Execute(db, ModelManagementPostgresTests.LiteLlmRowSql("litellm-1", "added-gpt")
            + ModelManagementPostgresTests.LiteLlmRowSql("blocked-1", "blocked-gpt", blocked: "true"));
        var path = NewPath();

        var copied = await DatabaseCopyTests.CopyAsync("copy", "--from", server.Url(db), "--to", "sqlite:" + path);

        Assert.True(copied.Exit == 0, copied.Errors);
        Assert.Contains("1 models copied (0 already present, 1 blocked left out)", copied.Output, StringComparison.Ordinal);
        Assert.Equal(ModelManagementPostgresTests.EncryptedApiKey, Strings((await SqliteRowAsync(path, "litellm-1")).LitellmParamsJson)["api_key"]);
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel,
            StoreInDb + $"environment_variables:\n  LITELLM_SALT_KEY: {ModelManagementPostgresTests.SaltKey}\n  OPENAI_API_BASE: {_upstream.Url}/v1\n", databasePath: path);
        await AssertServedAsync(gateway, "sk-proj-abc123", _upstream);
        using var blocked = await gateway.PostJsonAsync("/v1/chat/completions", ChatToAdded.Replace("added-gpt", "blocked-gpt", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.BadRequest, blocked.StatusCode);
    }

    [Fact]
    public async Task CopyBackWithoutSqliteTarget_ExitsTwoNamingTo()
    {
        var (exit, output, errors) = await DatabaseCopyTests.CopyAsync("copy", "--from", "postgresql://u:s3cret-pw@127.0.0.1:5432/db", "--to", "/data/edgegw.db");

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains("--to must be sqlite:PATH", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", errors, StringComparison.Ordinal);
    }
}
