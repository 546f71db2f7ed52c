using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Providers.Anthropic;

/// <summary>A gateway with anthropic/ deployments in front of a fake Anthropic API on loopback.</summary>
public abstract class AnthropicGatewayTestBase : IAsyncLifetime
{
    public const string ProviderKey = "sk-ant-upstream-secret-1234";
    protected FakeUpstream Upstream { get; private set; } = null!;
    protected TestGateway Gateway { get; private set; } = null!;

    protected virtual string ExtraYaml => "";

    public async Task InitializeAsync()
    {
        Upstream = await FakeUpstream.StartAsync();
        Gateway = await TestGateway.StartAsync(ModelList(Upstream.Url), ExtraYaml);
    }

    public static string ModelList(string url) => $"""
        - model_name: claude
          litellm_params:
            model: anthropic/claude-test-1
            api_base: {url}
            api_key: {ProviderKey}
            extra_headers:
              anthropic-beta: fine-grained-tool-streaming-2025-05-14
        - model_name: claude-capped
          litellm_params:
            model: anthropic/claude-capped-1
            api_base: {url}/v1
            api_key: {ProviderKey}
          model_info:
            max_tokens: 1000
        """;

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
    }

    protected async Task<(HttpResponseMessage Response, string Body)> PostAsync(string json)
    {
        var response = await Gateway.PostJsonAsync("/v1/chat/completions", json);
        return (response, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Sends <paramref name="json"/> and returns the body the fake upstream received.</summary>
    protected async Task<System.Text.Json.JsonElement> SentBodyAsync(string json)
    {
        Upstream.RespondJson(AnthropicWireFixtures.TextMessage("ok"));
        var (response, body) = await PostAsync(json);
        Assert.True(response.IsSuccessStatusCode, body);
        return Upstream.LastRequest.Json().RootElement;
    }
}
