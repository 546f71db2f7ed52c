using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Models;

/// <summary><c>POST /model/update</c>, <c>PATCH /model/{id}/update</c> and the <c>store_model_in_db</c> switch.</summary>
public sealed class ModelUpdateTests : IAsyncLifetime
{
    private FakeUpstream _upstream = null!;
    private FakeUpstream _other = null!;
    private readonly string _path = TestGateway.NewDatabasePath();

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        _upstream.RespondJson(StoredModels.Completion);
        _other = await FakeUpstream.StartAsync();
        _other.RespondJson(StoredModels.Completion);
    }

    public async Task DisposeAsync()
    {
        await _upstream.DisposeAsync();
        await _other.DisposeAsync();
        TestGateway.DeleteDatabase(_path);
    }

    private Task<TestGateway> StartAsync(string extra = StoredModels.On) => TestGateway.StartAsync(AdminClient.CheapModel, extra, databasePath: _path);

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PatchAsync(TestGateway gateway, string id, string json, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/model/{id}/update") { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        if (key is not null)
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        using var response = await gateway.Client.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static string ErrorMessage(JsonElement body) => body.GetProperty("error").GetProperty("message").GetString()!;

    [Fact]
    public async Task Update_NewApiBaseAndKeyReachTheUpstreamFromTheNextRequest()
    {
        await using var gateway = await StartAsync();
        await gateway.PostAdminAsync("/model/new", StoredModels.New(_upstream));

        var row = await gateway.PostAdminAsync("/model/update",
            "{\"model_info\":{\"id\":\"m-1\"},\"litellm_params\":{\"api_base\":\"" + _other.Url + "/v1\",\"api_key\":\"sk-rotated-key\"}}");

        Assert.Equal("m-1", row.GetProperty("model_id").GetString());
        Assert.DoesNotContain("sk-rotated-key", row.GetRawText(), StringComparison.Ordinal);
        using var response = await gateway.PostJsonAsync("/v1/chat/completions", StoredModels.Chat);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(_upstream.Requests);
        Assert.Equal("Bearer sk-rotated-key", _other.LastRequest.Headers["authorization"]);
    }

    [Fact]
    public async Task Patch_PartialUpdateKeepsTheOtherParamsAndTheirCiphertext()
    {
        await using var gateway = await StartAsync();
        await gateway.PostAdminAsync("/model/new", StoredModels.New(_upstream));
        var before = (await gateway.Runtime.Data.Models.GetAsync("m-1"))!;

        var (status, row) = await PatchAsync(gateway, "m-1", """{"litellm_params":{"rpm":7},"model_info":{"access_groups":["beta"]}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(7, row.GetProperty("litellm_params").GetProperty("rpm").GetInt32());
        var after = (await gateway.Runtime.Data.Models.GetAsync("m-1"))!;
        using (var old = JsonDocument.Parse(before.LitellmParamsJson))
        using (var now = JsonDocument.Parse(after.LitellmParamsJson))
        {
            Assert.Equal(old.RootElement.GetProperty("api_key").GetString(), now.RootElement.GetProperty("api_key").GetString());
            Assert.Equal(old.RootElement.GetProperty("api_base").GetString(), now.RootElement.GetProperty("api_base").GetString());
        }
        using (var info = JsonDocument.Parse(after.ModelInfoJson!))
        {
            Assert.Equal("chat", info.RootElement.GetProperty("mode").GetString());
            Assert.Equal("beta", info.RootElement.GetProperty("access_groups")[0].GetString());
            Assert.Equal("m-1", info.RootElement.GetProperty("id").GetString());
        }
        using var response = await gateway.PostJsonAsync("/v1/chat/completions", StoredModels.Chat);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer sk-db-upstream-key", _upstream.LastRequest.Headers["authorization"]);
    }

    [Fact]
    public async Task Patch_InvalidApiBase_Is400AndNothingChanges()
    {
        await using var gateway = await StartAsync();
        await gateway.PostAdminAsync("/model/new", StoredModels.New(_upstream));
        var before = (await gateway.Runtime.Data.Models.GetAsync("m-1"))!;

        var (status, body) = await PatchAsync(gateway, "m-1", """{"litellm_params":{"api_base":"ftp://nope"}}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("api_base", ErrorMessage(body), StringComparison.Ordinal);
        Assert.Equal(before.LitellmParamsJson, (await gateway.Runtime.Data.Models.GetAsync("m-1"))!.LitellmParamsJson);
    }

    [Fact]
    public async Task ConfigModel_IsRefusedInLiteLlmsWords()
    {
        await using var gateway = await StartAsync();
        var info = await gateway.GetAdminAsync("/model/info");
        var id = info.GetProperty("data").EnumerateArray().First(m => m.GetProperty("model_name").GetString() == "cheap")
            .GetProperty("model_info").GetProperty("id").GetString()!;

        var updated = await gateway.PostAdminAsync("/model/update",
            "{\"model_info\":{\"id\":\"" + id + "\"},\"litellm_params\":{\"rpm\":1}}", HttpStatusCode.BadRequest);
        var (status, patched) = await PatchAsync(gateway, id, """{"litellm_params":{"rpm":1}}""");

        Assert.Equal("Can't edit model. Model in config. Store model in db via `/model/new`. to edit.", ErrorMessage(updated));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Cannot edit config-based model. Store model in DB via /model/new first.", ErrorMessage(patched));
    }

    [Fact]
    public async Task UnknownId_Patch404AndUpdate400()
    {
        await using var gateway = await StartAsync();

        var (status, patched) = await PatchAsync(gateway, "no-such-id", """{"litellm_params":{"rpm":1}}""");
        var updated = await gateway.PostAdminAsync("/model/update", """{"model_info":{"id":"no-such-id"},"litellm_params":{"rpm":1}}""", HttpStatusCode.BadRequest);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("Model no-such-id not found on proxy.", ErrorMessage(patched));
        Assert.Contains("no-such-id", ErrorMessage(updated), StringComparison.Ordinal);
    }

    [Fact]
    public async Task VirtualKey_CannotUpdateOrPatch()
    {
        await using var gateway = await StartAsync();
        await gateway.PostAdminAsync("/model/new", StoredModels.New(_upstream));
        var key = await gateway.NewKeyAsync();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/model/update")
        {
            Content = new StringContent("""{"model_info":{"id":"m-1"},"litellm_params":{"api_key":"sk-stolen"}}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        using var updated = await gateway.Client.SendAsync(request);
        var (status, _) = await PatchAsync(gateway, "m-1", """{"litellm_params":{"api_key":"sk-stolen"}}""", key);

        Assert.Equal(HttpStatusCode.Forbidden, updated.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        using var response = await gateway.PostJsonAsync("/v1/chat/completions", StoredModels.Chat);
        Assert.Equal("Bearer sk-db-upstream-key", _upstream.LastRequest.Headers["authorization"]);
    }

    [Fact]
    public async Task RateLimitBucket_IsKeptAcrossAnUpdate()
    {
        await using var gateway = await StartAsync();
        await gateway.PostAdminAsync("/model/new", StoredModels.New(_upstream, rpm: 1));
        using (var first = await gateway.PostJsonAsync("/v1/chat/completions", StoredModels.Chat))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        var (status, _) = await PatchAsync(gateway, "m-1", """{"litellm_params":{"api_key":"sk-rotated-key"}}""");
        Assert.Equal(HttpStatusCode.OK, status);

        using var second = await gateway.PostJsonAsync("/v1/chat/completions", StoredModels.Chat);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Single(_upstream.Requests);
    }

    [Fact]
    public async Task StoreModelInDbOff_RefusesTheModelApiAndLeavesStoredModelsUnloaded()
    {
        await using (var on = await StartAsync())
            await on.PostAdminAsync("/model/new", StoredModels.New(_upstream));

        await using var off = await StartAsync(extra: "");
        var added = await off.PostAdminAsync("/model/new", StoredModels.New(_upstream, id: "m-2"), HttpStatusCode.InternalServerError);
        var (status, patched) = await PatchAsync(off, "m-1", """{"litellm_params":{"rpm":1}}""");
        var deleted = await off.PostAdminAsync("/model/delete", """{"id":"m-1"}""", HttpStatusCode.InternalServerError);

        Assert.Equal("Set `'STORE_MODEL_IN_DB='True'` in your env to enable this feature.", ErrorMessage(added));
        Assert.Equal(ErrorMessage(added), ErrorMessage(deleted));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Model updates only supported for DB-stored models", ErrorMessage(patched));
        using var response = await off.PostJsonAsync("/v1/chat/completions", StoredModels.Chat);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(_upstream.Requests);
        Assert.NotNull(await off.Runtime.Data.Models.GetAsync("m-1"));
        Assert.Null(await off.Runtime.Data.Models.GetAsync("m-2"));
    }

    [Fact]
    public async Task ReloadTurningStoreModelInDbOn_ServesTheStoredModels()
    {
        await using (var on = await StartAsync())
            await on.PostAdminAsync("/model/new", StoredModels.New(_upstream));
        await using var gateway = await StartAsync(extra: "");

        gateway.Runtime.Replace(EdgeGw.Config.ConfigLoader.Parse(
            $"model_list:\n{AdminClient.CheapModel}\ngeneral_settings:\n  master_key: {TestGateway.MasterKey}\n{StoredModels.On}", _ => null));

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", StoredModels.Chat);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer sk-db-upstream-key", _upstream.LastRequest.Headers["authorization"]);
    }

    [Theory]
    [InlineData("True", true)]
    [InlineData("false", false)]
    public void StoreModelInDbEnvironmentVariable_IsReadWhenTheConfigIsSilent(string value, bool on)
    {
        var config = EdgeGw.Config.ConfigLoader.Parse("general_settings:\n  master_key: sk-m\n", name => name == "STORE_MODEL_IN_DB" ? value : null);
        Assert.Equal(on, config.General.StoreModelInDb);
        var configWins = EdgeGw.Config.ConfigLoader.Parse("general_settings:\n  master_key: sk-m\n  store_model_in_db: false\n", name => name == "STORE_MODEL_IN_DB" ? "True" : null);
        Assert.False(configWins.General.StoreModelInDb);
    }
}
