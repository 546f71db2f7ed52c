using System.Net;

namespace EdgeGw.Tests.Routing;

/// <summary>The SDK-to-proxy lesson's model_list (bare model names) served as LiteLLM serves it.</summary>
public sealed class BareModelRoutingTests : IAsyncLifetime
{
    // Verbatim from the tutorial.
    internal const string TutorialModelList = """
        # Primary: Claude Sonnet - for complex reasoning tasks
        - model_name: claude-sonnet
          litellm_params:
            model: claude-sonnet-4-6
            api_key: os.environ/ANTHROPIC_API_KEY
            rpm: 500 # requests per minute - used by usage-based routing
            tpm: 200000 # tokens per minute
        # Budget model: Claude Haiku - for high-volume simple tasks
        - model_name: claude-haiku
          litellm_params:
            model: claude-haiku-4-5-20251001
            api_key: os.environ/ANTHROPIC_API_KEY
            rpm: 2000
            tpm: 1000000
        # OpenAI fallback
        - model_name: gpt-4o
          litellm_params:
            model: gpt-4o
            api_key: os.environ/OPENAI_API_KEY
            rpm: 500
            tpm: 150000
        """;

    private TwoProviderGateway _gw = null!;

    public async Task InitializeAsync() => _gw = await TwoProviderGateway.StartAsync(TutorialModelList);

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
