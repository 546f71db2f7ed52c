using System.Net;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Routing;

/// <summary>LiteLLM's wildcard routing: <c>model_name</c> patterns whose <c>*</c> fills <c>litellm_params.model</c>.</summary>
public sealed class WildcardRoutingTests
{
    private const string StarPassThrough = """
        - model_name: "*"
          litellm_params:
            model: "*"
        """;

    [Fact]
    public async Task StarPassThrough_SendsEachNameToTheProviderItNames()
    {
        await using var gw = await TwoProviderGateway.StartAsync(StarPassThrough);

        var (claudeStatus, claude) = await gw.ChatAsync("claude-haiku-4-5");
        var (gptStatus, gpt) = await gw.ChatAsync("gpt-4o-mini");
        var (prefixedStatus, prefixed) = await gw.ChatAsync("openai/gpt-4.1");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], [claudeStatus, gptStatus, prefixedStatus]);
        Assert.Equal("claude-haiku-4-5", claude.GetProperty("model").GetString());
        Assert.Equal("gpt-4o-mini", gpt.GetProperty("model").GetString());
        Assert.Equal("openai/gpt-4.1", prefixed.GetProperty("model").GetString());
        Assert.Equal("/v1/messages", gw.Anthropic.LastRequest.PathAndQuery);
        Assert.Equal("claude-haiku-4-5", TwoProviderGateway.SentModel(gw.Anthropic));
        Assert.Equal(TwoProviderGateway.AnthropicKey, gw.Anthropic.LastRequest.Headers["x-api-key"]);
        Assert.Equal(["gpt-4o-mini", "gpt-4.1"], gw.OpenAi.Requests.Select(r => r.Json().RootElement.GetProperty("model").GetString()));
        Assert.All(gw.OpenAi.Requests, r => Assert.Equal("/v1/chat/completions", r.PathAndQuery));
    }

    [Fact]
    public async Task StarPassThrough_ServesAnthropicFormatClientsToo()
    {
        await using var gw = await TwoProviderGateway.StartAsync(StarPassThrough);

        using var response = await gw.Gateway.PostJsonAsync("/v1/messages",
            """{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/v1/messages", gw.Anthropic.LastRequest.PathAndQuery);
        Assert.Equal("claude-sonnet-4-5", TwoProviderGateway.SentModel(gw.Anthropic));
    }

    [Theory]
    [InlineData("llama3", "Cannot route model=llama3: missing provider prefix in 'llama3'")]
    [InlineData("command-r", "Cannot route model=command-r: LiteLLM reads a bare 'command-r' as Cohere (cohere_chat/command-r), which EdgeGw does not serve yet")]
    public async Task StarPassThrough_NameNoServedProviderTakes_Is400SayingWhy(string model, string message)
    {
        await using var gw = await TwoProviderGateway.StartAsync(StarPassThrough);

        var (status, body) = await gw.ChatAsync(model);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith(message, body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(gw.OpenAi.Requests);
        Assert.Empty(gw.Anthropic.Requests);
    }

    [Fact]
    public async Task StarPassThrough_SpendRowAndMetricsNameTheRequestedModel()
    {
        await using var gw = await TwoProviderGateway.StartAsync(StarPassThrough);

        using var response = await gw.Gateway.PostJsonAsync("/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""");
        var requestId = response.Headers.GetValues("x-litellm-call-id").Single();
        var row = (await gw.Gateway.GetAdminAsync($"/spend/logs?request_id={requestId}"))[0];
        var metrics = await gw.Gateway.Client.GetStringAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("gpt-4o-mini", response.Headers.GetValues("x-litellm-model-group").Single());
        Assert.Equal("gpt-4o-mini", row.GetProperty("model_group").GetString());
        Assert.Equal("gpt-4o-mini", row.GetProperty("model").GetString());
        Assert.Contains("requested_model=\"gpt-4o-mini\"", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("requested_model=\"*\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAiWildcard_ServesAnyOpenAiModelWithItsOwnKeyAndBase()
    {
        await using var other = await FakeUpstream.StartAsync();
        other.RespondJson("""{"id":"c","object":"chat.completion","created":1,"model":"x","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}""");
        await using var gw = await TwoProviderGateway.StartAsync($"""
            - model_name: "openai/*"
              litellm_params:
                model: "openai/*"
                api_key: sk-wildcard-key
                api_base: {other.Url}/v1
            """);

        var (prefixed, _) = await gw.ChatAsync("openai/gpt-4o");
        var (bare, bareBody) = await gw.ChatAsync("gpt-4o");
        var (anthropic, _) = await gw.ChatAsync("anthropic/claude-haiku-4-5");

        Assert.Equal(HttpStatusCode.OK, prefixed);
        Assert.Equal(HttpStatusCode.OK, bare); // LiteLLM also tries a bare name with its inferred provider prefix
        Assert.Equal("gpt-4o", bareBody.GetProperty("model").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, anthropic);
        Assert.Equal(["gpt-4o", "gpt-4o"], other.Requests.Select(r => r.Json().RootElement.GetProperty("model").GetString()));
        Assert.All(other.Requests, r => Assert.Equal("Bearer sk-wildcard-key", r.Headers["authorization"]));
        Assert.Empty(gw.OpenAi.Requests);
    }

    [Fact]
    public async Task ExactNameWinsOverPatterns_AndLongerPatternOverStar()
    {
        await using var gw = await TwoProviderGateway.StartAsync("""
            - model_name: "*"
              litellm_params:
                model: "openai/*"
            - model_name: "claude-*"
              litellm_params:
                model: "anthropic/claude-*"
            - model_name: claude-exact
              litellm_params:
                model: openai/pinned-model
            """);

        await gw.ChatAsync("claude-sonnet-4-5");
        await gw.ChatAsync("claude-exact");
        await gw.ChatAsync("some-model");

        Assert.Equal("claude-sonnet-4-5", TwoProviderGateway.SentModel(gw.Anthropic));
        Assert.Equal(["pinned-model", "some-model"], gw.OpenAi.Requests.Select(r => r.Json().RootElement.GetProperty("model").GetString()));
    }

    [Fact]
    public async Task KeyAllowedOpenAiPattern_MayCallBareOpenAiNamesOnly()
    {
        await using var gw = await TwoProviderGateway.StartAsync(StarPassThrough);
        var key = await gw.Gateway.NewKeyAsync("""{"models":["openai/*"]}""");

        var (gpt, _) = await gw.ChatAsync("gpt-4o", key);
        var (claude, refusal) = await gw.ChatAsync("claude-haiku-4-5", key);

        Assert.Equal(HttpStatusCode.OK, gpt);
        Assert.Equal(HttpStatusCode.Unauthorized, claude);
        Assert.Equal("key not allowed to access model. This key can only access models=['openai/*']. Tried to access claude-haiku-4-5",
            refusal.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task ModelsList_ShowsWildcardNames()
    {
        await using var gw = await TwoProviderGateway.StartAsync("""
            - model_name: gpt-4o
              litellm_params:
                model: gpt-4o
            - model_name: "openai/*"
              litellm_params:
                model: "openai/*"
            """);

        Assert.Equal(["gpt-4o", "openai/*"], await gw.ListedModelsAsync());
    }
}
