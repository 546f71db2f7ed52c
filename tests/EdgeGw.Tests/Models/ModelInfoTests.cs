using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Models;

/// <summary><c>/model/info</c> and <c>/v2/model/info</c> list config and database models, secrets masked as LiteLLM masks them.</summary>
public sealed class ModelInfoTests : IAsyncLifetime
{
    private const string SessionToken = "session-token-secret-value";
    private FakeUpstream _upstream = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        _upstream.RespondJson(StoredModels.Completion);
    }

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    private async Task<TestGateway> StartWithStoredModelAsync()
    {
        var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, StoredModels.On);
        await gateway.PostAdminAsync("/model/new", StoredModels.New(_upstream,
            extraParams: ",\"aws_session_token\":\"" + SessionToken + "\",\"aws_region_name\":\"eu-west-1\""));
        return gateway;
    }

    private static JsonElement Added(JsonElement listing) =>
        listing.GetProperty("data").EnumerateArray().Single(m => m.GetProperty("model_name").GetString() == "added-gpt");

    [Theory]
    [InlineData("/model/info")]
    [InlineData("/v1/model/info")]
    [InlineData("/v2/model/info")]
    public async Task DatabaseModel_IsListedAsDbModelWithSecretsMasked(string path)
    {
        await using var gateway = await StartWithStoredModelAsync();
        var stored = (await gateway.Runtime.Data.Models.GetAsync("m-1"))!;
        using var storedParams = JsonDocument.Parse(stored.LitellmParamsJson);

        using var response = await gateway.Client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var added = Added(JsonDocument.Parse(text).RootElement);
        Assert.True(added.GetProperty("model_info").GetProperty("db_model").GetBoolean());
        Assert.Equal("m-1", added.GetProperty("model_info").GetProperty("id").GetString());
        var parameters = added.GetProperty("litellm_params");
        Assert.Equal("openai/gpt-4o", parameters.GetProperty("model").GetString());
        Assert.False(parameters.TryGetProperty("api_key", out _));
        Assert.Equal("sess******************alue", parameters.GetProperty("aws_session_token").GetString());
        Assert.Equal("eu-west-1", parameters.GetProperty("aws_region_name").GetString());
        foreach (var secret in new[] { "sk-db-upstream-key", SessionToken })
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        foreach (var field in new[] { "api_key", "aws_session_token", "api_base" })
        {
            var ciphertext = storedParams.RootElement.GetProperty(field).GetString()!;
            Assert.DoesNotContain(ciphertext[..16], text, StringComparison.Ordinal);
        }
        var cheap = JsonDocument.Parse(text).RootElement.GetProperty("data").EnumerateArray().First(m => m.GetProperty("model_name").GetString() == "cheap");
        Assert.False(cheap.GetProperty("model_info").GetProperty("db_model").GetBoolean());
    }

    [Fact]
    public async Task V2_FiltersAndPagesLikeLiteLlm()
    {
        await using var gateway = await StartWithStoredModelAsync();

        var page = await gateway.GetAdminAsync("/v2/model/info?page=2&size=2&sortBy=model_name");
        var byName = await gateway.GetAdminAsync("/v2/model/info?model=added-gpt");
        var byId = await gateway.GetAdminAsync("/v2/model/info?modelId=m-1");
        var search = await gateway.GetAdminAsync("/v2/model/info?search=ADDED");
        var bad = await gateway.GetAdminAsync("/v2/model/info?size=0", HttpStatusCode.BadRequest);

        Assert.Equal(3, page.GetProperty("total_count").GetInt32());
        Assert.Equal(2, page.GetProperty("current_page").GetInt32());
        Assert.Equal(2, page.GetProperty("total_pages").GetInt32());
        Assert.Equal(2, page.GetProperty("size").GetInt32());
        Assert.Equal("other", Assert.Single(page.GetProperty("data").EnumerateArray()).GetProperty("model_name").GetString());
        foreach (var one in new[] { byName, byId, search })
            Assert.Equal("m-1", Assert.Single(one.GetProperty("data").EnumerateArray()).GetProperty("model_info").GetProperty("id").GetString());
        Assert.Equal("size", bad.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task VirtualKey_SeesOnlyItsModelsIncludingDatabaseOnes()
    {
        await using var gateway = await StartWithStoredModelAsync();
        var key = await gateway.NewKeyAsync("""{"models":["added-gpt"]}""");

        var v1 = await gateway.GetAdminAsync("/model/info", key: key);
        var v2 = await gateway.GetAdminAsync("/v2/model/info", key: key);

        foreach (var listing in new[] { v1, v2 })
            Assert.Equal("added-gpt", Assert.Single(listing.GetProperty("data").EnumerateArray()).GetProperty("model_name").GetString());
        Assert.Equal(1, v2.GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task UpdatedModel_IsListedWithItsNewValues()
    {
        await using var gateway = await StartWithStoredModelAsync();
        using var request = new HttpRequestMessage(HttpMethod.Patch, "/model/m-1/update")
        {
            Content = new StringContent("""{"model_name":"renamed-gpt","litellm_params":{"rpm":9}}""", System.Text.Encoding.UTF8, "application/json"),
        };
        using var patched = await gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);

        var listing = await gateway.GetAdminAsync("/v2/model/info?modelId=m-1");
        var model = Assert.Single(listing.GetProperty("data").EnumerateArray());
        Assert.Equal("renamed-gpt", model.GetProperty("model_name").GetString());
        Assert.Equal(9, model.GetProperty("litellm_params").GetProperty("rpm").GetInt32());
        Assert.True(model.GetProperty("model_info").GetProperty("db_model").GetBoolean());
    }
}
