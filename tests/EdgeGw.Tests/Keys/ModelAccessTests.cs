using System.Net;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Keys;

public sealed class ModelAccessTests : IAsyncLifetime
{
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync(AdminClient.CheapModel);

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private static string ChatFor(string model) => $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""";

    private async Task<string[]> ListedModelsAsync(string key) =>
        [.. (await _gateway.GetAdminAsync("/v1/models", key: key)).GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!)];

    [Fact]
    public async Task ModelOutsideKeyList_Is401NamingModelAndAllowedList()
    {
        var key = await _gateway.NewKeyAsync("""{"models":["cheap"]}""");

        using var response = await _gateway.ChatAsync(key, ChatFor("other"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var error = await AdminClient.ErrorOf(response);
        Assert.Equal("key not allowed to access model. This key can only access models=['cheap']. Tried to access other", error.GetProperty("message").GetString());
        Assert.Equal("key_model_access_denied", error.GetProperty("type").GetString());
        using var ok = await _gateway.ChatAsync(key, ChatFor("cheap"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task KeyWithoutModels_MayUseEveryModel()
    {
        var key = await _gateway.NewKeyAsync();
        Assert.Equal(["cheap", "other"], await ListedModelsAsync(key));
        using var ok = await _gateway.ChatAsync(key, ChatFor("other"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task ModelsList_ShowsOnlyAllowedModels()
    {
        var key = await _gateway.NewKeyAsync("""{"models":["other"]}""");
        Assert.Equal(["other"], await ListedModelsAsync(key));
    }

    [Fact]
    public async Task TeamModels_RestrictItsKeys()
    {
        await _gateway.PostAdminAsync("/team/new", """{"team_id":"t1","models":["cheap"]}""");
        var key = await _gateway.NewKeyAsync("""{"team_id":"t1"}""");

        using var refused = await _gateway.ChatAsync(key, ChatFor("other"));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.StartsWith("team not allowed to access model", (await AdminClient.ErrorOf(refused)).GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(["cheap"], await ListedModelsAsync(key));
    }

    [Fact]
    public async Task UserModels_RestrictTheirPersonalKeys()
    {
        await _gateway.PostAdminAsync("/user/new", """{"user_id":"u-personal","models":["cheap"]}""");
        var key = await _gateway.NewKeyAsync("""{"user_id":"u-personal"}""");

        using var refused = await _gateway.ChatAsync(key, ChatFor("other"));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.StartsWith("user not allowed to access model", (await AdminClient.ErrorOf(refused)).GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(["cheap"], await ListedModelsAsync(key));
    }

    [Fact]
    public async Task TeamKeyOfRestrictedUser_FollowsTheTeamsListNotTheUsers()
    {
        // LiteLLM's common_checks: a user's model list applies to personal keys only.
        await _gateway.PostAdminAsync("/user/new", """{"user_id":"u-models","models":["cheap"]}""");
        await _gateway.PostAdminAsync("/team/new", """{"team_id":"t-models","models":["other"]}""");
        var key = await _gateway.NewKeyAsync("""{"user_id":"u-models","team_id":"t-models"}""");

        using var ok = await _gateway.ChatAsync(key, ChatFor("other"));
        using var refused = await _gateway.ChatAsync(key, ChatFor("cheap"));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.StartsWith("team not allowed to access model", (await AdminClient.ErrorOf(refused)).GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(["other"], await ListedModelsAsync(key));
    }

    [Fact]
    public async Task UpdateModels_TakesEffectOnTheNextRequest()
    {
        var key = await _gateway.NewKeyAsync("""{"models":["cheap"]}""");
        await _gateway.PostAdminAsync("/key/update", $$"""{"key":"{{key}}","models":["other"]}""");

        using var refused = await _gateway.ChatAsync(key, ChatFor("cheap"));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task BlockedTeam_RefusesItsKeys()
    {
        await _gateway.PostAdminAsync("/team/new", """{"team_id":"blocked-team","blocked":true}""");
        var key = await _gateway.NewKeyAsync("""{"team_id":"blocked-team"}""");

        using var refused = await _gateway.ChatAsync(key);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task MasterKey_SeesEveryModel()
    {
        var models = (await _gateway.GetAdminAsync("/v1/models")).GetProperty("data").GetArrayLength();
        Assert.Equal(2, models);
    }
}
