using System.Net;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Routing;

/// <summary>The SDK-to-proxy lesson's model_list (bare model names) served as LiteLLM serves it.</summary>
public sealed class BareModelRoutingTests : IAsyncLifetime
{
    private TwoProviderGateway _gw = null!;

    public async Task InitializeAsync() => _gw = await TwoProviderGateway.StartAsync(TutorialConfigs.SdkLessonModelList);

    public async Task DisposeAsync() => await _gw.DisposeAsync();

    [Theory]
    [InlineData("claude-sonnet", "claude-sonnet-4-6")]
    [InlineData("claude-haiku", "claude-haiku-4-5-20251001")]
    public async Task BareClaudeName_GoesToAnthropicMessagesWithItsKey(string group, string modelId)
    {
        var (status, body) = await _gw.ChatAsync(group);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(group, body.GetProperty("model").GetString());
        var sent = _gw.Anthropic.LastRequest;
        Assert.Equal("/v1/messages", sent.PathAndQuery);
        Assert.Equal(TwoProviderGateway.AnthropicKey, sent.Headers["x-api-key"]);
        Assert.Equal(modelId, TwoProviderGateway.SentModel(_gw.Anthropic));
    }

    [Fact]
    public async Task BareGptName_GoesToOpenAiChatCompletionsWithItsKey()
    {
        var (status, body) = await _gw.ChatAsync("gpt-4o");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("gpt-4o", body.GetProperty("model").GetString());
        var sent = _gw.OpenAi.LastRequest;
        Assert.Equal("/v1/chat/completions", sent.PathAndQuery);
        Assert.Equal("Bearer " + TwoProviderGateway.OpenAiKey, sent.Headers["authorization"]);
        Assert.Equal("gpt-4o", TwoProviderGateway.SentModel(_gw.OpenAi));
        Assert.Empty(_gw.Anthropic.Requests);
    }
}
