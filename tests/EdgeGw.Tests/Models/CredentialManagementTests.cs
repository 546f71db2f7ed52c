using System.Net;
using System.Text;
using System.Text.Json;
using EdgeGw.Storage.Secrets;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Models;

/// <summary>
/// <c>/credentials</c>: stored credentials, encrypted at rest and masked when shown, borrowed by config and
/// database models through <c>litellm_credential_name</c>. Run on SQLite and on a real PostgreSQL.
/// </summary>
public abstract class CredentialManagementTests : IAsyncLifetime
{
    private const string Completion = """
        {"id":"chatcmpl-1","object":"chat.completion","created":1741569952,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"hi","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}
        """;
    private const string Secret = "sk-stored-credential-key";
    private const string StoreModels = "store_model_in_db: true";

    protected FakeUpstream Upstream { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Upstream = await FakeUpstream.StartAsync();
        Upstream.RespondJson(Completion);
    }

    public virtual async Task DisposeAsync() => await Upstream.DisposeAsync();

    /// <summary>A gateway on this class's database (the same one on every call of one test).</summary>
    protected abstract Task<TestGateway> StartAsync(string models, string extraYaml = "", params string[] generalSettings);

    private Task<TestGateway> StartAsync() => StartAsync(AdminClient.CheapModel, "", StoreModels);

    private string Credential(string name = "team-openai", string key = Secret) =>
        $$$"""{"credential_name":"{{{name}}}","credential_values":{"api_key":"{{{key}}}","api_base":"{{{Upstream.Url}}}/v1"},"credential_info":{"description":"team key"}}""";

    private static string Chat(string model) => $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hello"}]}""";

    private static string BorrowingModel(string name, string credential) => $$"""
        - model_name: {{name}}
          litellm_params:
            model: openai/gpt-4o
            litellm_credential_name: {{credential}}
        """;

    private static async Task<HttpResponseMessage> SendAsync(TestGateway gateway, HttpMethod method, string path, string? body = null, string? key = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        if (key is not null)
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return await gateway.Client.SendAsync(request);
    }

    private static async Task<JsonElement> ExpectAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task CreatedCredential_ListedWithItsSecretMaskedAsLiteLlmMasksIt()
    {
        await using var gateway = await StartAsync();
        var created = await gateway.PostAdminAsync("/credentials", Credential());

        Assert.Equal("""{"success":true,"message":"Credential created successfully"}""", created.GetRawText());
        var list = await gateway.GetAdminAsync("/credentials");
        Assert.DoesNotContain(Secret, list.GetRawText(), StringComparison.Ordinal);
        var item = Assert.Single(list.GetProperty("credentials").EnumerateArray());
        Assert.Equal("team-openai", item.GetProperty("credential_name").GetString());
        Assert.Equal("sk****ey", item.GetProperty("credential_values").GetProperty("api_key").GetString());
        Assert.Equal(Upstream.Url + "/v1", item.GetProperty("credential_values").GetProperty("api_base").GetString());
        Assert.Equal("team key", item.GetProperty("credential_info").GetProperty("description").GetString());
    }

    [Fact]
    public async Task StoredRow_HoldsEachValueEncryptedNeverThePlaintext()
    {
        await using var gateway = await StartAsync();
        await gateway.PostAdminAsync("/credentials", Credential());

        var row = await gateway.Runtime.Data.Credentials.GetAsync("team-openai");
        Assert.NotNull(row);
        Assert.DoesNotContain(Secret, row.ValuesJson, StringComparison.Ordinal);
        Assert.DoesNotContain(Upstream.Url, row.ValuesJson, StringComparison.Ordinal);
        using var values = JsonDocument.Parse(row.ValuesJson);
        var cipher = new SecretCipher(TestGateway.MasterKey);
        Assert.Equal(Secret, cipher.Decrypt(values.RootElement.GetProperty("api_key").GetString()!, "api_key"));
        Assert.False(values.RootElement.GetProperty("api_key").GetString()!.StartsWith("v3:", StringComparison.Ordinal)); // legacy SecretBox by default
    }

    [Fact]
    public async Task ByName_MaskedAndUnknownNameIs404()
    {
        await using var gateway = await StartAsync();
        await gateway.PostAdminAsync("/credentials", Credential());

        var item = await gateway.GetAdminAsync("/credentials/by_name/team-openai");
        Assert.Equal("sk****ey", item.GetProperty("credential_values").GetProperty("api_key").GetString());
        var missing = await gateway.GetAdminAsync("/credentials/by_name/nope", HttpStatusCode.NotFound);
        Assert.Equal("Credential not found. Got credential name: nope", missing.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task DuplicateName_Is400AndKeepsTheFirst()
    {
        await using var gateway = await StartAsync();
        await gateway.PostAdminAsync("/credentials", Credential());

        var again = await gateway.PostAdminAsync("/credentials", Credential(key: "sk-other-key-value"), HttpStatusCode.BadRequest);
        Assert.Contains("team-openai", again.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        var row = await gateway.Runtime.Data.Credentials.GetAsync("team-openai");
        using var values = JsonDocument.Parse(row!.ValuesJson);
        Assert.Equal(Secret, new SecretCipher(TestGateway.MasterKey).Decrypt(values.RootElement.GetProperty("api_key").GetString()!, "api_key"));
    }

    [Fact]
    public async Task NewModelNamingStoredCredential_ReachesUpstreamWithItsKey()
    {
        await using var gateway = await StartAsync();
        await gateway.PostAdminAsync("/credentials", Credential());

        await gateway.PostAdminAsync("/model/new", """{"model_name":"borrower","litellm_params":{"model":"openai/gpt-4o","litellm_credential_name":"team-openai"},"model_info":{"id":"b-1"}}""");
        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat("borrower"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer " + Secret, Upstream.LastRequest.Headers["authorization"]);
    }

    [Fact]
    public async Task NewModelNamingUnknownCredential_Is400NamingIt()
    {
        await using var gateway = await StartAsync();

        var refused = await gateway.PostAdminAsync("/model/new",
            """{"model_name":"borrower","litellm_params":{"model":"openai/gpt-4o","litellm_credential_name":"missing-cred"},"model_info":{"id":"b-1"}}""",
            HttpStatusCode.BadRequest);

        Assert.Contains("'missing-cred'", refused.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Null(await gateway.Runtime.Data.Models.GetAsync("b-1"));
    }

    [Fact]
    public async Task ConfigModelNamingStoredCredential_ServesWithItsKeyAfterRestart()
    {
        await using (var first = await StartAsync())
            await first.PostAdminAsync("/credentials", Credential());

        await using var second = await StartAsync(AdminClient.CheapModel + "\n" + BorrowingModel("config-borrower", "team-openai"), "", StoreModels);
        using var response = await second.PostJsonAsync("/v1/chat/completions", Chat("config-borrower"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer " + Secret, Upstream.LastRequest.Headers["authorization"]);
    }

    [Fact]
    public async Task ConfigModelNamingUnknownCredential_FailsStartUpNamingIt()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(AdminClient.CheapModel + "\n" + BorrowingModel("config-borrower", "nowhere"), "", StoreModels));

        Assert.Contains("'nowhere'", e.Message, StringComparison.Ordinal);
        Assert.Contains("litellm_credential_name", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PatchedCredential_ChangesWhatTheNextRequestSends()
    {
        await using (var first = await StartAsync())
            await first.PostAdminAsync("/credentials", Credential());
        await using var gateway = await StartAsync(AdminClient.CheapModel + "\n" + BorrowingModel("config-borrower", "team-openai"), "", StoreModels);
        await gateway.PostAdminAsync("/model/new", """{"model_name":"db-borrower","litellm_params":{"model":"openai/gpt-4o","litellm_credential_name":"team-openai"},"model_info":{"id":"b-1"}}""");

        var patched = await ExpectAsync(await SendAsync(gateway, HttpMethod.Patch, "/credentials/team-openai",
            """{"credential_name":"team-openai","credential_values":{"api_key":"sk-rotated-key"},"credential_info":{}}"""), HttpStatusCode.OK);

        Assert.Equal("Credential updated successfully", patched.GetProperty("message").GetString());
        foreach (var model in new[] { "config-borrower", "db-borrower" })
        {
            using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat(model));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Bearer sk-rotated-key", Upstream.LastRequest.Headers["authorization"]);
        }
        var item = await gateway.GetAdminAsync("/credentials/by_name/team-openai");
        Assert.Equal(Upstream.Url + "/v1", item.GetProperty("credential_values").GetProperty("api_base").GetString()); // values merged, not replaced
        Assert.Equal("team key", item.GetProperty("credential_info").GetProperty("description").GetString());
    }

    [Fact]
    public async Task DeletedCredential_GoneFromListAndSecondDeleteIs404()
    {
        await using var gateway = await StartAsync();
        await gateway.PostAdminAsync("/credentials", Credential());

        var deleted = await ExpectAsync(await SendAsync(gateway, HttpMethod.Delete, "/credentials/team-openai"), HttpStatusCode.OK);
        Assert.Equal("Credential deleted successfully", deleted.GetProperty("message").GetString());
        Assert.Empty((await gateway.GetAdminAsync("/credentials")).GetProperty("credentials").EnumerateArray());
        Assert.Null(await gateway.Runtime.Data.Credentials.GetAsync("team-openai"));
        await ExpectAsync(await SendAsync(gateway, HttpMethod.Delete, "/credentials/team-openai"), HttpStatusCode.NotFound);
        await ExpectAsync(await SendAsync(gateway, HttpMethod.Patch, "/credentials/team-openai", """{"credential_values":{"api_key":"x"}}"""), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task FromModelId_CopiesTheDeploymentsKeyAndByModelShowsItMasked()
    {
        await using var gateway = await StartAsync(AdminClient.CheapModel + $$"""

            - model_name: keyed
              litellm_params:
                model: openai/gpt-4o
                api_key: sk-config-model-key
                api_base: {{Upstream.Url}}/v1
              model_info:
                id: keyed-1
            """, "", StoreModels);

        var byModel = await gateway.GetAdminAsync("/credentials/by_model/keyed-1");
        Assert.Equal("keyed-credential-keyed-1", byModel.GetProperty("credential_name").GetString());
        Assert.Equal("sk****ey", byModel.GetProperty("credential_values").GetProperty("api_key").GetString());
        await gateway.PostAdminAsync("/credentials", """{"credential_name":"copied","model_id":"keyed-1","credential_info":{}}""");
        await gateway.PostAdminAsync("/model/new", """{"model_name":"db-borrower","litellm_params":{"model":"openai/gpt-4o","litellm_credential_name":"copied"},"model_info":{"id":"b-1"}}""");
        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat("db-borrower"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer sk-config-model-key", Upstream.LastRequest.Headers["authorization"]);
        await gateway.PostAdminAsync("/credentials", """{"credential_name":"x","model_id":"no-such-model","credential_info":{}}""", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task NewModelNamingConfigCredential_ReachesUpstreamWithItsKey()
    {
        await using var gateway = await StartAsync(AdminClient.CheapModel, $$"""
            credential_list:
              - credential_name: from-config
                credential_values:
                  api_key: sk-config-credential-key
                  api_base: {{Upstream.Url}}/v1
            """, StoreModels);

        await gateway.PostAdminAsync("/model/new", """{"model_name":"db-borrower","litellm_params":{"model":"openai/gpt-4o","litellm_credential_name":"from-config"},"model_info":{"id":"b-1"}}""");
        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat("db-borrower"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer sk-config-credential-key", Upstream.LastRequest.Headers["authorization"]);
        var listed = Assert.Single((await gateway.GetAdminAsync("/credentials")).GetProperty("credentials").EnumerateArray());
        Assert.Equal("sk****ey", listed.GetProperty("credential_values").GetProperty("api_key").GetString());
    }

    [Fact]
    public async Task Aes256Gcm_WritesV3GcmValuesThatServe()
    {
        await using var gateway = await StartAsync(AdminClient.CheapModel, "", StoreModels, "encryption_algorithm: aes-256-gcm");
        await gateway.PostAdminAsync("/credentials", Credential());
        await gateway.PostAdminAsync("/model/new", """{"model_name":"db-borrower","litellm_params":{"model":"openai/gpt-4o","litellm_credential_name":"team-openai"},"model_info":{"id":"b-1"}}""");

        var row = await gateway.Runtime.Data.Credentials.GetAsync("team-openai");
        using var values = JsonDocument.Parse(row!.ValuesJson);
        var stored = values.RootElement.GetProperty("api_key").GetString()!;
        Assert.StartsWith("v3:gcm:", stored, StringComparison.Ordinal);
        Assert.Equal(Secret, new SecretCipher(TestGateway.MasterKey).Decrypt(stored, "api_key"));
        var model = await gateway.Runtime.Data.Models.GetAsync("b-1");
        using var parameters = JsonDocument.Parse(model!.LitellmParamsJson);
        Assert.StartsWith("v3:gcm:", parameters.RootElement.GetProperty("model").GetString(), StringComparison.Ordinal);
        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat("db-borrower"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer " + Secret, Upstream.LastRequest.Headers["authorization"]);
    }

    [Fact]
    public async Task VirtualKey_Gets403OnEveryCredentialRoute()
    {
        await using var gateway = await StartAsync();
        await gateway.PostAdminAsync("/credentials", Credential());
        var key = await gateway.NewKeyAsync();

        var calls = new (HttpMethod Method, string Path, string? Body)[]
        {
            (HttpMethod.Get, "/credentials", null),
            (HttpMethod.Post, "/credentials", Credential("other")),
            (HttpMethod.Get, "/credentials/by_name/team-openai", null),
            (HttpMethod.Get, "/credentials/by_model/any", null),
            (HttpMethod.Patch, "/credentials/team-openai", """{"credential_values":{"api_key":"sk-hijack"}}"""),
            (HttpMethod.Delete, "/credentials/team-openai", null),
        };
        foreach (var (method, path, body) in calls)
        {
            using var response = await SendAsync(gateway, method, path, body, key);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.DoesNotContain("sk-", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Null(await gateway.Runtime.Data.Credentials.GetAsync("other"));
        var row = await gateway.Runtime.Data.Credentials.GetAsync("team-openai");
        Assert.DoesNotContain("hijack", new SecretCipher(TestGateway.MasterKey).Decrypt(
            JsonDocument.Parse(row!.ValuesJson).RootElement.GetProperty("api_key").GetString()!, "api_key"), StringComparison.Ordinal);
    }
}

/// <summary>The credential endpoints on EdgeGw's SQLite file.</summary>
public sealed class CredentialManagementSqliteTests : CredentialManagementTests
{
    private readonly string _path = TestGateway.NewDatabasePath();

    protected override Task<TestGateway> StartAsync(string models, string extraYaml = "", params string[] generalSettings) =>
        TestGateway.StartAsync(models, extraYaml, databasePath: _path, generalSettings: generalSettings);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        TestGateway.DeleteDatabase(_path);
    }

    [Fact]
    public async Task ConfigReloadNamingUnknownCredential_IsRefusedAndTheOldConfigServes()
    {
        await using var gateway = await StartAsync(AdminClient.CheapModel, "", "store_model_in_db: true");

        var e = Assert.Throws<InvalidOperationException>(() => gateway.Runtime.Replace(EdgeGw.Config.ConfigLoader.Parse($$"""
            model_list:
              - model_name: borrower
                litellm_params: { model: openai/gpt-4o, litellm_credential_name: nowhere }
            general_settings:
              master_key: {{TestGateway.MasterKey}}
            """, _ => null)));

        Assert.Contains("'nowhere'", e.Message, StringComparison.Ordinal);
        using var cheap = await gateway.ChatAsync(TestGateway.MasterKey);
        Assert.Equal(HttpStatusCode.OK, cheap.StatusCode);
    }
}

/// <summary>The credential endpoints on a real PostgreSQL: LiteLLM's own <c>LiteLLM_CredentialsTable</c>.</summary>
[Collection(PostgresCollection.Name)]
public sealed class CredentialManagementPostgresTests(PostgresServer server) : CredentialManagementTests
{
    private readonly string _database = server.CreateDatabase();

    protected override Task<TestGateway> StartAsync(string models, string extraYaml = "", params string[] generalSettings) =>
        TestGateway.StartAsync(models, extraYaml, databaseUrl: server.Url(_database), generalSettings: generalSettings);

    [Fact]
    public async Task CredentialRow_IsLiteLlmsWithJsonbValuesAndNoPlaintext()
    {
        await using var gateway = await StartAsync(AdminClient.CheapModel);
        await gateway.PostAdminAsync("/credentials", """{"credential_name":"pg-cred","credential_values":{"api_key":"sk-pg-secret-value"},"credential_info":{"team":"a"}}""");

        Assert.Equal("object object default_user_id", server.Scalar(_database, """
            SELECT concat_ws(' ', jsonb_typeof(credential_values), jsonb_typeof(credential_info), created_by) FROM "LiteLLM_CredentialsTable" WHERE credential_name = 'pg-cred'
            """));
        Assert.DoesNotContain("sk-pg-secret-value", (string)server.Scalar(_database, """SELECT credential_values::text FROM "LiteLLM_CredentialsTable" """)!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RowWrittenAsLiteLlmWritesIt_IsBorrowedByAModel()
    {
        var encrypted = new SecretCipher(TestGateway.MasterKey).Encrypt("sk-litellm-wrote-this");
        await using (await StartAsync(AdminClient.CheapModel)) { } // EdgeGw creates LiteLLM's tables
        server.Execute(_database, $$"""
            INSERT INTO "LiteLLM_CredentialsTable" (credential_id, credential_name, credential_values, credential_info, created_by, updated_by)
            VALUES ('c-1', 'from-litellm', '{"api_key":"{{encrypted}}","api_base":"{{new SecretCipher(TestGateway.MasterKey).Encrypt(Upstream.Url + "/v1")}}"}', '{{"{}"}}', 'admin', 'admin');
            """);

        await using var gateway = await StartAsync(AdminClient.CheapModel + "\n" + """
            - model_name: litellm-borrower
              litellm_params:
                model: openai/gpt-4o
                litellm_credential_name: from-litellm
            """, "", "store_model_in_db: true");
        using var response = await gateway.PostJsonAsync("/v1/chat/completions", """{"model":"litellm-borrower","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer sk-litellm-wrote-this", Upstream.LastRequest.Headers["authorization"]);
    }
}
