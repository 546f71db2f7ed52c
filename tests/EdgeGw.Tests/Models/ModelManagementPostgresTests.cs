using System.Net;
using System.Text.Json;
using EdgeGw.Storage.Secrets;
using EdgeGw.Tests.Infrastructure;
using EdgeGw.Tests.Postgres;
using static EdgeGw.Tests.Models.RunTimeModels;

namespace EdgeGw.Tests.Models;

/// <summary><c>/model/new</c> and <c>/model/delete</c> on PostgreSQL: rows in LiteLLM's own <c>LiteLLM_ProxyModelTable</c>, and rows LiteLLM wrote there.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ModelManagementPostgresTests(PostgresServer server) : IAsyncLifetime
{
    // LiteLLM's legacy NaCl values under this salt, made without our code: a C program against libsodium doing what PyNaCl's
    // SecretBox(sha256(salt)).encrypt then base64.urlsafe_b64encode does (the api_key is SecretCipherTests' fixture).
    internal const string SaltKey = "sk-salt-1234";
    private const string EncryptedModel = "9saKGTKf2W6azSQBVJlLiPfkU4ZgJlYmVxVnO0I47jYMIlj0FDRUHxPHYQDfN95ADwxvGqY="; // openai/gpt-4o
    internal const string EncryptedApiKey = "FkcS7vx3wMb5Wp1YX9cqFR9gchvhrSuGvYFNLQClrPiC6wF2xic49APtIpxWJXUrkfgFK1FS"; // sk-proj-abc123

    private FakeUpstream _upstream = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        _upstream.RespondJson(Completion);
    }

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    /// <summary>The salt LiteLLM wrote with, and the upstream its rows (which carry no api_base) reach through OPENAI_API_BASE.</summary>
    private string LiteLlmEnvironment => $"environment_variables:\n  LITELLM_SALT_KEY: {SaltKey}\n  OPENAI_API_BASE: {_upstream.Url}/v1\n";

    /// <summary>A row as LiteLLM's /model/new leaves it through Prisma: every string of litellm_params encrypted, model_info with its id, blocked and times from defaults.</summary>
    internal static string LiteLlmRowSql(string id, string modelName, string? blocked = null) => $$"""
        INSERT INTO "LiteLLM_ProxyModelTable" (model_id, model_name, litellm_params, model_info, created_by, updated_by{{(blocked is null ? "" : ", blocked")}})
        VALUES ('{{id}}', '{{modelName}}',
                '{"model": "{{EncryptedModel}}", "api_key": "{{EncryptedApiKey}}", "rpm": 100}'::jsonb,
                '{"id": "{{id}}", "db_model": true}'::jsonb,
                'default_user_id', 'default_user_id'{{(blocked is null ? "" : ", " + blocked)}});
        """;

    private string LiteLlmDatabase()
    {
        var db = server.CreateDatabase();
        server.Execute(db, LiteLlmSchemaTests.FixtureSql);
        return db;
    }

    /// <summary>A gateway on a fresh database adds the model and stops; a new one starts on that database with <paramref name="extraYaml"/>.</summary>
    private async Task<TestGateway> AddThenRestartAsync(string extraYaml = "")
    {
        var url = server.Url(server.CreateDatabase());
        await using (var first = await StartAsync(url))
            await first.PostAdminAsync("/model/new", NewModel(_upstream));
        return await StartAsync(url, extraYaml);
    }

    /// <summary>added-gpt is an unknown model there (400 naming it) and nothing reached the upstream.</summary>
    private async Task AssertNotServedAsync(TestGateway gateway)
    {
        using var response = await ChatAsync(gateway);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("added-gpt", (await AdminClient.ErrorOf(response)).GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(_upstream.Requests);
    }

    [Fact]
    public async Task NewModel_ServesAtOnceWithItsApiKey()
    {
        await using var gateway = await StartAsync(server.Url(server.CreateDatabase()));

        var row = await gateway.PostAdminAsync("/model/new", NewModel(_upstream));

        Assert.Equal("m-1", row.GetProperty("model_id").GetString());
        Assert.DoesNotContain(UpstreamKey, row.GetRawText(), StringComparison.Ordinal);
        using var response = await ChatAsync(gateway);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer " + UpstreamKey, _upstream.LastRequest.Headers["authorization"]);
    }

    [Fact]
    public async Task NewModel_IsStoredInLiteLlmsTableWithEveryStringEncrypted()
    {
        var db = server.CreateDatabase();
        await using var gateway = await StartAsync(server.Url(db));

        await gateway.PostAdminAsync("/model/new", NewModel(_upstream));

        var stored = (string)server.Scalar(db, """SELECT litellm_params::text FROM "LiteLLM_ProxyModelTable" WHERE model_id = 'm-1' AND model_name = 'added-gpt' AND NOT blocked""")!;
        Assert.DoesNotContain(UpstreamKey, stored, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(stored);
        var cipher = new SecretCipher(TestGateway.MasterKey);
        Assert.Equal(UpstreamKey, cipher.Decrypt(json.RootElement.GetProperty("api_key").GetString()!, "api_key"));
        Assert.Equal("openai/gpt-4o", cipher.Decrypt(json.RootElement.GetProperty("model").GetString()!, "model"));
        Assert.Equal(5, json.RootElement.GetProperty("rpm").GetInt32());
    }

    [Fact]
    public async Task Restart_StillServesTheDatabaseModel()
    {
        await using var second = await AddThenRestartAsync();

        using var response = await ChatAsync(second);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer " + UpstreamKey, _upstream.LastRequest.Headers["authorization"]);
    }

    [Fact]
    public async Task DeletedModel_NoLongerServesNorComesBackOnRestart()
    {
        var db = server.CreateDatabase();
        await using (var gateway = await StartAsync(server.Url(db)))
        {
            await gateway.PostAdminAsync("/model/new", NewModel(_upstream));

            var deleted = await gateway.PostAdminAsync("/model/delete", """{"id":"m-1"}""");

            Assert.Equal("Model: m-1 deleted successfully", deleted.GetProperty("message").GetString());
            using var response = await ChatAsync(gateway);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var again = await gateway.PostAdminAsync("/model/delete", """{"id":"m-1"}""", HttpStatusCode.BadRequest);
            Assert.Contains("m-1", again.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        Assert.Equal(0L, server.Scalar(db, """SELECT count(*) FROM "LiteLLM_ProxyModelTable" """));
        await using var restarted = await StartAsync(server.Url(db));
        await AssertNotServedAsync(restarted);
    }

    [Fact]
    public async Task DuplicateId_Is400AndTheFirstRowStays()
    {
        var db = server.CreateDatabase();
        await using var gateway = await StartAsync(server.Url(db));
        await gateway.PostAdminAsync("/model/new", NewModel(_upstream));

        var error = await gateway.PostAdminAsync("/model/new", NewModel(_upstream).Replace("added-gpt", "other-name", StringComparison.Ordinal), HttpStatusCode.BadRequest);

        Assert.Contains("m-1", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("added-gpt", server.Scalar(db, """SELECT string_agg(model_name, ',') FROM "LiteLLM_ProxyModelTable" """));
    }

    [Fact]
    public async Task WrongSaltKey_SkipsTheModelInsteadOfSendingGarbage()
    {
        await using var second = await AddThenRestartAsync("environment_variables:\n  LITELLM_SALT_KEY: a-different-salt-key\n");

        await AssertNotServedAsync(second);
    }

    [Fact]
    public async Task VirtualKey_CannotAddModels()
    {
        var db = server.CreateDatabase();
        await using var gateway = await StartAsync(server.Url(db));
        var key = await gateway.NewKeyAsync();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/model/new") { Content = new StringContent(NewModel(_upstream), System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0L, server.Scalar(db, """SELECT count(*) FROM "LiteLLM_ProxyModelTable" """));
    }

    [Fact]
    public async Task RowWrittenByLiteLlm_ServesWithItsDecryptedApiKey()
    {
        var db = LiteLlmDatabase();
        server.Execute(db, LiteLlmRowSql("5d3c7a0e-8f51-4c2b-9e0d-1a2b3c4d5e6f", "added-gpt"));

        await using var gateway = await StartAsync(server.Url(db), LiteLlmEnvironment);

        using var response = await ChatAsync(gateway);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer sk-proj-abc123", _upstream.LastRequest.Headers["authorization"]);
        using var body = _upstream.LastRequest.Json();
        Assert.Equal("gpt-4o", body.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task BlockedRow_IsNotServedWhileTheOthersAre()
    {
        var db = LiteLlmDatabase();
        server.Execute(db, LiteLlmRowSql("blocked-1", "added-gpt", blocked: "true") + LiteLlmRowSql("open-1", "open-gpt", blocked: "false"));

        await using var gateway = await StartAsync(server.Url(db), LiteLlmEnvironment);

        await AssertNotServedAsync(gateway);
        using var open = await gateway.PostJsonAsync("/v1/chat/completions", ChatToAdded.Replace("added-gpt", "open-gpt", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
    }

    [Fact]
    public async Task TableFromBeforeTheBlockedColumn_ServesItsRows()
    {
        var db = LiteLlmDatabase();
        server.Execute(db, """ALTER TABLE "LiteLLM_ProxyModelTable" DROP COLUMN blocked;""" + LiteLlmRowSql("old-1", "added-gpt"));

        await using var gateway = await StartAsync(server.Url(db), LiteLlmEnvironment);

        using var response = await ChatAsync(gateway);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer sk-proj-abc123", _upstream.LastRequest.Headers["authorization"]);
    }
}
