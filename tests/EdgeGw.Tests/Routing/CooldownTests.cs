using System.Net;
using EdgeGw.Tests.Infrastructure;
using static EdgeGw.Tests.Routing.RouterWire;

namespace EdgeGw.Tests.Routing;

public sealed class CooldownTests : IAsyncLifetime
{
    private FakeUpstream _a = null!;
    private FakeUpstream _b = null!;

    public async Task InitializeAsync()
    {
        _a = await FakeUpstream.StartAsync();
        _b = await FakeUpstream.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task RateLimitedDeployment_ParkedForCooldownTimeThenBack()
    {
        var time = new ManualTime();
        _a.FailThenAnswer(1, 429, "from a");
        _b.FailThenAnswer(0, 200, "from b");
        await using var gateway = await TestGateway.StartAsync(
            Deployment("front", _a, "dep-a", order: 1) + "\n" + Deployment("front", _b, "dep-b", order: 2), "", time);

        using var first = await gateway.PostJsonAsync("/v1/chat/completions", Chat);
        using var whileCooling = await gateway.PostJsonAsync("/v1/chat/completions", Chat);
        time.Advance(TimeSpan.FromSeconds(5));
        using var after = await gateway.PostJsonAsync("/v1/chat/completions", Chat);

        Assert.Equal("dep-b", Header(first, "x-litellm-model-id"));
        Assert.Equal("dep-b", Header(whileCooling, "x-litellm-model-id"));
        Assert.Equal("0", Header(whileCooling, "x-litellm-attempted-retries"));
        Assert.Equal("dep-a", Header(after, "x-litellm-model-id"));
        Assert.Equal(2, _a.Requests.Count);
    }

    [Fact]
    public async Task EveryDeploymentCooling_429NoDeploymentsWithRetryAfter()
    {
        var time = new ManualTime();
        _a.FailThenAnswer(100, 500, "never");
        _b.FailThenAnswer(100, 503, "never");
        await using var gateway = await TestGateway.StartAsync(
            Deployment("front", _a, "dep-a", order: 1) + "\n" + Deployment("front", _b, "dep-b", order: 2),
            "router_settings:\n  allowed_fails: 0\n  cooldown_time: 30\n  num_retries: 1", time);

        using var failed = await gateway.PostJsonAsync("/v1/chat/completions", Chat);
        using var refused = await gateway.PostJsonAsync("/v1/chat/completions", Chat);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), refused.Headers.RetryAfter?.Delta);
        Assert.Contains("No deployments available for selected model", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(_a.Requests);
        Assert.Single(_b.Requests);
    }

    [Fact]
    public async Task AllowedFailsNotExceeded_DeploymentStaysInRotation()
    {
        _a.FailThenAnswer(1, 500, "from a");
        await using var gateway = await TestGateway.StartAsync(Deployment("front", _a, "dep-a"),
            "router_settings:\n  allowed_fails: 1\n  num_retries: 0");

        using var failed = await gateway.PostJsonAsync("/v1/chat/completions", Chat);
        using var next = await gateway.PostJsonAsync("/v1/chat/completions", Chat);

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task CoolingFallbackGroup_SkippedForNextFallback()
    {
        await using var c = await FakeUpstream.StartAsync();
        _a.FailThenAnswer(100, 500, "never");
        c.FailThenAnswer(100, 500, "never");
        _b.FailThenAnswer(0, 200, "from b");
        await using var gateway = await TestGateway.StartAsync(
            Deployment("front", _a, "dep-a") + "\n" + Deployment("cool", c, "dep-c") + "\n" + Deployment("big", _b, "dep-b"),
            "router_settings:\n  allowed_fails: 0\n  num_retries: 0\n  fallbacks: [{\"front\": [\"cool\", \"big\"]}]");

        using var direct = await gateway.PostJsonAsync("/v1/chat/completions", Chat.Replace("front", "cool", StringComparison.Ordinal));
        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("dep-b", Header(response, "x-litellm-model-id"));
        Assert.Equal("1", Header(response, "x-litellm-attempted-fallbacks"));
        Assert.Single(c.Requests);
    }
}
