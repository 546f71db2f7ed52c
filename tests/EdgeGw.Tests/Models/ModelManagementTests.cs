using System.Net;
using System.Text.Json;
using EdgeGw.Storage.Secrets;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Models;

/// <summary><c>/model/new</c> and <c>/model/delete</c>: models stored in the database serve like config ones.</summary>
public sealed class ModelManagementTests : IAsyncLifetime
{
    private const string Completion = StoredModels.Completion;
    private const string ChatToAdded = StoredModels.Chat;

    private FakeUpstream _upstream = null!;
    private readonly string _path = TestGateway.NewDatabasePath();

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        _upstream.RespondJson(Completion);
    }

    public async Task DisposeAsync()
    {
        await _upstream.DisposeAsync();
        TestGateway.DeleteDatabase(_path);
    }

    private const string StoreModels = StoredModels.On;

    private Task<TestGateway> StartAsync() => TestGateway.StartAsync(AdminClient.CheapModel, StoreModels, databasePath: _path);

    private string NewModel(string id = "m-1") => StoredModels.New(_upstream, id);

    [Fact]
    public async Task NewModel_ServesAtOnceWithItsApiKey()
    {
        await using var gateway = await StartAsync();
        var row = await gateway.PostAdminAsync("/model/new", NewModel());

        Assert.Equal("m-1", row.GetProperty("model_id").GetString());
        Assert.Equal("added-gpt", row.GetProperty("model_name").GetString());
        Assert.Equal(5, row.GetProperty("litellm_params").GetProperty("rpm").GetInt32());
        Assert.DoesNotContain("sk-db-upstream-key", row.GetRawText(), StringComparison.Ordinal);
        using var response = await gateway.PostJsonAsync("/v1/chat/completions", ChatToAdded);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer sk-db-upstream-key", _upstream.LastRequest.Headers["authorization"]);
        using var body = _upstream.LastRequest.Json();
        Assert.Equal("gpt-4o", body.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task StoredRow_HoldsEveryStringParamEncryptedUnderTheMasterKey()
    {
        await using var gateway = await StartAsync();
        await gateway.PostAdminAsync("/model/new", NewModel());

        var stored = await gateway.Runtime.Data.Models.GetAsync("m-1");
        Assert.NotNull(stored);
        Assert.DoesNotContain("sk-db-upstream-key", stored.LitellmParamsJson, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(stored.LitellmParamsJson);
        var cipher = new SecretCipher(TestGateway.MasterKey);
        Assert.Equal("sk-db-upstream-key", cipher.Decrypt(json.RootElement.GetProperty("api_key").GetString()!, "api_key"));
        Assert.Equal("openai/gpt-4o", cipher.Decrypt(json.RootElement.GetProperty("model").GetString()!, "model"));
        Assert.Equal(5, json.RootElement.GetProperty("rpm").GetInt32());
    }

    [Fact]
    public async Task Restart_StillServesTheDatabaseModel()
    {
        await using (var first = await StartAsync())
            await first.PostAdminAsync("/model/new", NewModel());

        await using var second = await StartAsync();
        using var response = await second.PostJsonAsync("/v1/chat/completions", ChatToAdded);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer sk-db-upstream-key", _upstream.LastRequest.Headers["authorization"]);
    }

    [Fact]
    public async Task ConfigReload_KeepsTheDatabaseModel()
    {
        await using var gateway = await StartAsync();
        await gateway.PostAdminAsync("/model/new", NewModel());

        gateway.Runtime.Replace(EdgeGw.Config.ConfigLoader.Parse(
            $"model_list:\n{AdminClient.CheapModel}\ngeneral_settings:\n  master_key: {TestGateway.MasterKey}\n{StoreModels}", _ => null));

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", ChatToAdded);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer sk-db-upstream-key", _upstream.LastRequest.Headers["authorization"]);
        using var cheap = await gateway.ChatAsync(TestGateway.MasterKey);
        Assert.Equal(HttpStatusCode.OK, cheap.StatusCode);
    }

    [Fact]
    public async Task DeletedModel_NoLongerServesAndSecondDeleteIs400()
    {
        await using var gateway = await StartAsync();
        await gateway.PostAdminAsync("/model/new", NewModel());

        var deleted = await gateway.PostAdminAsync("/model/delete", """{"id":"m-1"}""");
        Assert.Equal("Model: m-1 deleted successfully", deleted.GetProperty("message").GetString());
        using var response = await gateway.PostJsonAsync("/v1/chat/completions", ChatToAdded);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("added-gpt", (await AdminClient.ErrorOf(response)).GetProperty("message").GetString(), StringComparison.Ordinal);
        var again = await gateway.PostAdminAsync("/model/delete", """{"id":"m-1"}""", HttpStatusCode.BadRequest);
        Assert.Contains("m-1", again.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task VirtualKey_CannotAddOrDeleteModels()
    {
        await using var gateway = await StartAsync();
        var key = await gateway.NewKeyAsync();

        foreach (var (path, body) in new[] { ("/model/new", NewModel()), ("/model/delete", """{"id":"m-1"}""") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            using var response = await gateway.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode); // as every admin route here answers a virtual key
        }
        Assert.Null(await gateway.Runtime.Data.Models.GetAsync("m-1"));
    }

    [Fact]
    public async Task WrongSaltKey_SkipsTheModelInsteadOfSendingGarbage()
    {
        await using (var first = await StartAsync())
            await first.PostAdminAsync("/model/new", NewModel());

        await using var second = await TestGateway.StartAsync(AdminClient.CheapModel, databasePath: _path,
            extraYaml: StoreModels + "environment_variables:\n  LITELLM_SALT_KEY: a-different-salt-key");
        using var response = await second.PostJsonAsync("/v1/chat/completions", ChatToAdded);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(_upstream.Requests);
    }

    [Fact]
    public async Task NewModel_WithoutModelParam_Is400NamingIt()
    {
        await using var gateway = await StartAsync();
        var error = await gateway.PostAdminAsync("/model/new", """{"model_name":"x","litellm_params":{"api_key":"k"}}""", HttpStatusCode.BadRequest);
        Assert.Contains("litellm_params.model", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
