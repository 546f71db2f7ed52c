using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;
using static EdgeGw.Tests.Providers.Anthropic.AnthropicWireFixtures;

namespace EdgeGw.Tests.Providers.Anthropic;

public sealed class AnthropicErrorTests : AnthropicGatewayTestBase
{
    // These tests are about how one upstream answer reaches the client, not about retries (Routing/ covers those).
    protected override string ExtraYaml => "router_settings:\n  num_retries: 0\n";

    private const string Hello = """{"model":"claude","messages":[{"role":"user","content":"hello"}]}""";

    private async Task<(HttpResponseMessage Response, JsonElement Error)> ErrorAsync(string upstreamBody, int status, IDictionary<string, string>? headers = null)
    {
        Upstream.RespondJson(upstreamBody, status, headers);
        var (response, body) = await PostAsync(Hello);
        return (response, JsonDocument.Parse(body).RootElement.GetProperty("error"));
    }

    [Fact]
    public async Task InvalidRequest400_KeepsStatusTypeAndMessage()
    {
        var (response, error) = await ErrorAsync(Error("invalid_request_error", "messages: roles must alternate"), 400);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("messages: roles must alternate", error.GetProperty("message").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("400", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task PromptTooLong_IsContextLengthExceeded()
    {
        var (response, error) = await ErrorAsync(Error("invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum"), 400);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("context_length_exceeded", error.GetProperty("code").GetString());
        Assert.Contains("prompt is too long", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthenticationError401_IsPassedOnWithoutTheKey()
    {
        var (response, error) = await ErrorAsync(Error("authentication_error", $"invalid x-api-key {ProviderKey}"), 401);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("authentication_error", error.GetProperty("type").GetString());
        Assert.DoesNotContain(ProviderKey, error.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateLimit429_PropagatesRetryAfter()
    {
        var (response, error) = await ErrorAsync(Error("rate_limit_error", "Number of request tokens has exceeded your rate limit."), 429,
            new Dictionary<string, string> { ["retry-after"] = "12" });

        Assert.Equal((HttpStatusCode)429, response.StatusCode);
        Assert.Equal("12", response.Headers.RetryAfter!.ToString());
        Assert.Equal("rate_limit_error", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Overloaded529_Becomes503()
    {
        var (response, error) = await ErrorAsync(Error("overloaded_error", "Overloaded"), 529, new Dictionary<string, string> { ["retry-after"] = "3" });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("overloaded_error", error.GetProperty("type").GetString());
        Assert.Equal("503", error.GetProperty("code").GetString());
        Assert.Equal("Overloaded", error.GetProperty("message").GetString());
        Assert.Equal("3", response.Headers.RetryAfter!.ToString());
    }

    [Fact]
    public async Task NonJsonErrorBody_IsTheMessage()
    {
        Upstream.Handle(async (c, _) =>
        {
            c.Response.StatusCode = 502;
            c.Response.ContentType = "text/html";
            await c.Response.WriteAsync("<html>bad gateway</html>");
        });
        var (response, body) = await PostAsync(Hello);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("<html>bad gateway</html>", JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task UnreachableUpstream_Is502()
    {
        var closed = await FakeUpstream.StartAsync();
        var url = closed.Url;
        await closed.DisposeAsync();
        await using var gateway = await TestGateway.StartAsync(ModelList(url));

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Hello);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("api_connection_error", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task SlowUpstream_Is504AfterTheDeploymentTimeout()
    {
        await using var gateway = await TestGateway.StartAsync($"""
            - model_name: claude-slow
              litellm_params:
                model: anthropic/claude-test-1
                api_base: {Upstream.Url}
                api_key: {ProviderKey}
                timeout: 0.2
            """);
        var release = new TaskCompletionSource();
        Upstream.Handle(async (c, _) => await release.Task.WaitAsync(c.RequestAborted));

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", """{"model":"claude-slow","messages":[{"role":"user","content":"hi"}]}""");
        release.TrySetResult();

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("timeout", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("type").GetString());
    }
}
