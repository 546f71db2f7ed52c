using System.Net;
using EdgeGw.Tests.Infrastructure;
using static EdgeGw.Tests.Routing.RouterWire;

namespace EdgeGw.Tests.Routing;

public sealed class DeadlineTests : IAsyncLifetime
{
    private FakeUpstream _a = null!;

    public async Task InitializeAsync() => _a = await FakeUpstream.StartAsync();

    public async Task DisposeAsync() => await _a.DisposeAsync();

    [Fact]
    public async Task RequestTimeout_BoundsRetriesAndBackoffWith504()
    {
        var time = new ManualTime();
        _a.FailThenAnswer(100, 500, "never");
        await using var gateway = await TestGateway.StartAsync(Deployment("front", _a, "dep-a"),
            "litellm_settings:\n  request_timeout: 3\n  num_retries: 10", time);

        var pending = gateway.PostJsonAsync("/v1/chat/completions", Chat);
        await RetryTests.WaitUntil(() => _a.Requests.Count == 1 && time.PendingTimers > 1);
        time.Advance(TimeSpan.FromSeconds(3));
        using var response = await pending;

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Contains("request_timeout", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestTimeoutInBody_BoundsTheRequestWith504()
    {
        var time = new ManualTime();
        _a.FailThenAnswer(100, 500, "never");
        await using var gateway = await TestGateway.StartAsync(Deployment("front", _a, "dep-a"), "litellm_settings:\n  num_retries: 10", time);

        var pending = gateway.PostJsonAsync("/v1/chat/completions", """{"model":"front","messages":[{"role":"user","content":"hi"}],"request_timeout":2}""");
        await RetryTests.WaitUntil(() => _a.Requests.Count == 1 && time.PendingTimers > 1);
        time.Advance(TimeSpan.FromSeconds(2));
        using var response = await pending;

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Contains("timed out after 2s (the request's timeout)", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("request_timeout", _a.LastRequest.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyWithRpmOne_RetryDoesNotCountTwice()
    {
        await using var b = await FakeUpstream.StartAsync();
        _a.FailThenAnswer(100, 500, "never");
        b.FailThenAnswer(0, 200, "from b");
        await using var gateway = await TestGateway.StartAsync(
            Deployment("front", _a, "dep-a", order: 1) + "\n" + Deployment("front", b, "dep-b", order: 2));
        var key = await gateway.NewKeyAsync("""{"rpm_limit":1}""");

        using var response = await gateway.ChatAsync(key, Chat);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("dep-b", Header(response, "x-litellm-model-id"));
    }
}
