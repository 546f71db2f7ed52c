using System.Net;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Keys;

/// <summary>LiteLLM's model access groups: <c>model_info.access_groups</c> names usable in key/team <c>models</c> lists.</summary>
public sealed class AccessGroupTests : IAsyncLifetime
{
    private const string Models = """
        - model_name: beta-a
          litellm_params:
            model: mock/beta-a
            mock_response: alpha
          model_info:
            access_groups: ["beta-group"]
        - model_name: beta-b
          litellm_params:
            model: mock/beta-b
            mock_response: bravo
          model_info:
            access_groups: ["beta-group", "other-group"]
        - model_name: mockwild/*
          litellm_params:
            model: mock/*
            mock_response: wild
          model_info:
            access_groups: ["wild-group"]
        - model_name: plain
          litellm_params:
            model: mock/plain
            mock_response: charlie
        """;

    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync(Models);

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private static string ChatFor(string model) => $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""";

    private async Task<string[]> ListedModelsAsync(string key) =>
        [.. (await _gateway.GetAdminAsync("/v1/models", key: key)).GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!)];

    [Fact]
    public async Task KeyWithAccessGroup_CallsEveryModelInTheGroup()
    {
        var key = await _gateway.NewKeyAsync("""{"models":["beta-group"]}""");

        using var a = await _gateway.ChatAsync(key, ChatFor("beta-a"));
        using var b = await _gateway.ChatAsync(key, ChatFor("beta-b"));

        Assert.Equal(HttpStatusCode.OK, a.StatusCode);
        Assert.Equal(HttpStatusCode.OK, b.StatusCode);
    }

    [Fact]
    public async Task KeyWithAccessGroup_ModelOutsideGroupIs401WithLiteLlmMessage()
    {
        var key = await _gateway.NewKeyAsync("""{"models":["beta-group"]}""");

        using var refused = await _gateway.ChatAsync(key, ChatFor("plain"));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var error = await AdminClient.ErrorOf(refused);
        Assert.Equal("key not allowed to access model. This key can only access models=['beta-group']. Tried to access plain", error.GetProperty("message").GetString());
        Assert.Equal("key_model_access_denied", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task TeamWithAccessGroup_ItsKeysCallTheGroupOnly()
    {
        await _gateway.PostAdminAsync("/team/new", """{"team_id":"t-groups","models":["other-group"]}""");
        var key = await _gateway.NewKeyAsync("""{"team_id":"t-groups"}""");

        using var ok = await _gateway.ChatAsync(key, ChatFor("beta-b"));
        using var refused = await _gateway.ChatAsync(key, ChatFor("beta-a"));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.StartsWith("team not allowed to access model. This team can only access models=['other-group']",
            (await AdminClient.ErrorOf(refused)).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyWithAccessGroup_ModelsListShowsTheGroupsModels()
    {
        var key = await _gateway.NewKeyAsync("""{"models":["beta-group"]}""");
        Assert.Equal(["beta-a", "beta-b"], await ListedModelsAsync(key));
    }

    [Fact]
    public async Task AccessGroupOnWildcardModelName_AllowsNamesItMatches()
    {
        var key = await _gateway.NewKeyAsync("""{"models":["wild-group"]}""");

        using var ok = await _gateway.ChatAsync(key, ChatFor("mockwild/anything"));
        using var refused = await _gateway.ChatAsync(key, ChatFor("beta-a"));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(["mockwild/*"], await ListedModelsAsync(key));
    }

    [Fact]
    public async Task UnknownAccessGroupName_AllowsNothing()
    {
        var key = await _gateway.NewKeyAsync("""{"models":["no-such-group"]}""");

        using var refused = await _gateway.ChatAsync(key, ChatFor("beta-a"));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Empty(await ListedModelsAsync(key));
    }
}
