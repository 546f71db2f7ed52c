using System.Net;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Routing;

/// <summary><c>router_settings.model_group_alias</c>: names served by another model group.</summary>
public sealed class ModelGroupAliasTests : IAsyncLifetime
{
    private TwoProviderGateway _gw = null!;

    public async Task InitializeAsync() => _gw = await TwoProviderGateway.StartAsync("""
        - model_name: gpt-4o
          litellm_params:
            model: openai/gpt-4o-2024-08-06
        - model_name: "anthropic/*"
          litellm_params:
            model: "anthropic/*"
        """, """
        router_settings:
          model_group_alias:
            gpt-4: gpt-4o
            internal: { model: gpt-4o, hidden: true }
            fast: anthropic/claude-haiku-4-5
        """);

    public async Task DisposeAsync() => await _gw.DisposeAsync();

    [Theory]
    [InlineData("gpt-4")]
    [InlineData("internal")]
    public async Task Alias_IsServedByItsTargetAndAnswersWithTheAlias(string alias)
    {
        var (status, body) = await _gw.ChatAsync(alias);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(alias, body.GetProperty("model").GetString());
        Assert.Equal("gpt-4o-2024-08-06", TwoProviderGateway.SentModel(_gw.OpenAi));
    }

    [Fact]
    public async Task AliasOfAWildcardServedName_GoesThroughTheWildcard()
    {
        var (status, _) = await _gw.ChatAsync("fast");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("claude-haiku-4-5", TwoProviderGateway.SentModel(_gw.Anthropic));
    }

    [Fact]
    public async Task ModelsList_ShowsAliasesExceptHidden() =>
        Assert.Equal(["gpt-4o", "anthropic/*", "gpt-4", "fast"], await _gw.ListedModelsAsync());

    [Fact]
    public async Task KeyAllowedTheTarget_MayUseTheAlias_AndKeyAllowedTheAlias_NotTheTarget()
    {
        var targetKey = await _gw.Gateway.NewKeyAsync("""{"models":["gpt-4o"]}""");
        var aliasKey = await _gw.Gateway.NewKeyAsync("""{"models":["gpt-4"]}""");

        Assert.Equal(HttpStatusCode.OK, (await _gw.ChatAsync("gpt-4", targetKey)).Status);
        Assert.Equal(HttpStatusCode.OK, (await _gw.ChatAsync("gpt-4", aliasKey)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _gw.ChatAsync("gpt-4o", aliasKey)).Status);
        Assert.Equal(["gpt-4"], await _gw.ListedModelsAsync(aliasKey));
        Assert.Equal(["gpt-4o", "gpt-4"], await _gw.ListedModelsAsync(targetKey));
    }
}
