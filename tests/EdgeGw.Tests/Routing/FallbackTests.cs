using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;
using static EdgeGw.Tests.Routing.RouterWire;

namespace EdgeGw.Tests.Routing;

public sealed class FallbackTests : IAsyncLifetime
{
    private FakeUpstream _small = null!;
    private FakeUpstream _big = null!;

    public async Task InitializeAsync()
    {
        _small = await FakeUpstream.StartAsync();
        _big = await FakeUpstream.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _small.DisposeAsync();
        await _big.DisposeAsync();
    }

    private Task<TestGateway> Start(string extraYaml, string smallExtra = "") =>
        TestGateway.StartAsync(Deployment("front", _small, "dep-small", extra: smallExtra) + "\n" + Deployment("big", _big, "dep-big"), extraYaml);

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task ContextLengthExceeded_FallsBackToContextWindowGroupWithoutRetry()
    {
        _small.FailThenAnswer(100, 400, "never", code: "context_length_exceeded");
        _big.FailThenAnswer(0, 200, "from big");
        await using var gateway = await Start("router_settings:\n  context_window_fallbacks: [{\"front\": [\"big\"]}]");

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat);
        var json = await Json(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("big", json.GetProperty("model").GetString());
        Assert.Equal("1", Header(response, "x-litellm-attempted-fallbacks"));
        Assert.Equal("big", Header(response, "x-litellm-model-group"));
        Assert.Single(_small.Requests);
    }

    [Fact]
    public async Task ContextLengthExceededWithOnlyRegularFallbacks_FallsBackOnThem()
    {
        // LiteLLM: without context_window_fallbacks the regular list applies.
        _small.FailThenAnswer(100, 400, "never", code: "context_length_exceeded");
        _big.FailThenAnswer(0, 200, "from big");
        await using var gateway = await Start("litellm_settings:\n  fallbacks: [{\"front\": [\"big\"]}]");

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(_small.Requests);
    }

    [Fact]
    public async Task ContextLengthExceededGroupMissingFromContextWindowFallbacks_NotFallenBack()
    {
        _small.FailThenAnswer(100, 400, "never", code: "context_length_exceeded");
        await using var gateway = await Start("router_settings:\n  context_window_fallbacks: [{\"other\": [\"big\"]}]\n  fallbacks: [{\"front\": [\"big\"]}]");

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("context_length_exceeded", (await Json(response)).GetProperty("error").GetProperty("code").GetString());
        Assert.Empty(_big.Requests);
    }

    [Fact]
    public async Task ServerErrorsAfterRetries_FallsBackFromLitellmSettings()
    {
        _small.FailThenAnswer(100, 500, "never");
        _big.FailThenAnswer(0, 200, "from big");
        await using var gateway = await Start("litellm_settings:\n  num_retries: 0\n  fallbacks: [{\"front\": [\"big\"]}]");

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("dep-big", Header(response, "x-litellm-model-id"));
        Assert.Single(_small.Requests);
    }

    [Fact]
    public async Task FallbacksInBody_UsedAndStrippedFromUpstreamBody()
    {
        _small.FailThenAnswer(100, 500, "never");
        _big.FailThenAnswer(0, 200, "from big");
        await using var gateway = await Start("router_settings:\n  num_retries: 0");

        using var response = await gateway.PostJsonAsync("/v1/chat/completions",
            """{"model":"front", "fallbacks": ["big"], "messages":[{"role":"user","content":"hi"}], "disable_fallbacks": false}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        foreach (var sent in new[] { _small.LastRequest, _big.LastRequest })
        {
            Assert.DoesNotContain("fallbacks", sent.BodyText, StringComparison.Ordinal);
            using var json = sent.Json();
            Assert.Equal("hi", json.RootElement.GetProperty("messages")[0].GetProperty("content").GetString());
        }
    }

    [Fact]
    public async Task DisableFallbacksInBody_ErrorReturned()
    {
        _small.FailThenAnswer(100, 500, "never");
        await using var gateway = await Start("router_settings:\n  num_retries: 0\n  fallbacks: [{\"front\": [\"big\"]}]");

        using var response = await gateway.PostJsonAsync("/v1/chat/completions",
            """{"model":"front","disable_fallbacks":true,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Empty(_big.Requests);
    }

    [Fact]
    public async Task TimedOutAttempt_FallsBack()
    {
        _small.Handle(async (c, _) => await Task.Delay(TimeSpan.FromSeconds(10), c.RequestAborted));
        _big.FailThenAnswer(0, 200, "from big");
        await using var gateway = await Start("router_settings:\n  num_retries: 0\n  default_fallbacks: [\"big\"]", "    timeout: 0.2\n");

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("big", (await Json(response)).GetProperty("model").GetString());
    }

    [Fact]
    public async Task FallbackGroupNotAllowedForKey_Skipped()
    {
        _small.FailThenAnswer(100, 500, "never");
        _big.FailThenAnswer(0, 200, "from big");
        await using var gateway = await Start("router_settings:\n  num_retries: 0\n  fallbacks: [{\"front\": [\"big\"]}]");
        var key = await gateway.NewKeyAsync("""{"models":["front"]}""");

        using var response = await gateway.ChatAsync(key, Chat);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Empty(_big.Requests);
    }

    [Fact]
    public async Task RateLimitOnLoneDeploymentWithFallbacks_FallsBackWithoutWaiting()
    {
        _small.FailThenAnswer(100, 429, "never", retryAfter: "5");
        _big.FailThenAnswer(0, 200, "from big");
        await using var gateway = await Start("router_settings:\n  fallbacks: [{\"front\": [\"big\"]}]");

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(_small.Requests);
        Assert.Equal("0", Header(response, "x-litellm-attempted-retries"));
    }

    [Fact]
    public async Task MessagesClient_FallbackAnswersWithFallbackModelName()
    {
        _small.FailThenAnswer(100, 500, "never");
        _big.FailThenAnswer(0, 200, "from big");
        await using var gateway = await Start("router_settings:\n  num_retries: 0\n  fallbacks: [{\"front\": [\"big\"]}]");

        using var response = await gateway.PostJsonAsync("/v1/messages",
            """{"model":"front","max_tokens":20,"messages":[{"role":"user","content":"hi"}]}""");
        var json = await Json(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("big", json.GetProperty("model").GetString());
        Assert.Equal("from big", json.GetProperty("content")[0].GetProperty("text").GetString());
    }
}
