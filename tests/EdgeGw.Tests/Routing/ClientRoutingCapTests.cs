using System.Net;
using EdgeGw.Routing;
using EdgeGw.Tests.Infrastructure;
using static EdgeGw.Tests.Routing.RouterWire;

namespace EdgeGw.Tests.Routing;

/// <summary>
/// A client cannot turn the gateway into an amplifier: its <c>num_retries</c>, <c>fallbacks</c> and
/// <c>timeout</c> are capped, and every retry on the same deployment waits at least the minimum
/// backoff, even after <c>Retry-After: 0</c>. Virtual time: the waits are observed, not timed.
/// </summary>
public sealed class ClientRoutingCapTests : IAsyncLifetime
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
    public async Task HugeNumRetriesAgainstRetryAfterZero_CappedCallsEachAfterMinimumBackoff()
    {
        var time = new ManualTime();
        _a.FailThenAnswer(int.MaxValue, 429, "never", retryAfter: "0");
        await using var gateway = await TestGateway.StartAsync(Deployment("front", _a, "dep-a"), "", time);
        var minimum = TimeSpan.FromSeconds(RetryRules.MinDelaySeconds);

        var pending = gateway.PostJsonAsync("/v1/chat/completions",
            """{"model":"front","messages":[{"role":"user","content":"hi"}],"num_retries":100000}""");
        for (var calls = 1; calls <= ClientRoutingCaps.MinCap + 5 && !pending.IsCompleted; calls++)
        {
            await RetryTests.WaitUntil(() => pending.IsCompleted || (_a.Requests.Count == calls && time.PendingTimers > 0));
            if (pending.IsCompleted)
                break;
            time.Advance(minimum - TimeSpan.FromMilliseconds(1));
            await Task.Delay(20);
            Assert.Equal(calls, _a.Requests.Count); // no attempt before the minimum backoff
            time.Advance(minimum);                 // past the jittered floor (at most 1.5 × minimum)
        }
        using var response = await pending;

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(ClientRoutingCaps.MinCap + 1, _a.Requests.Count);
        Assert.Equal(ClientRoutingCaps.MinCap.ToString(), Header(response, "x-litellm-attempted-retries"));
    }

    [Fact]
    public async Task NumRetriesBelowCap_Honoured()
    {
        var time = new ManualTime();
        _a.FailThenAnswer(int.MaxValue, 429, "never", retryAfter: "0");
        await using var gateway = await TestGateway.StartAsync(Deployment("front", _a, "dep-a"), "", time);

        var pending = gateway.PostJsonAsync("/v1/chat/completions",
            """{"model":"front","messages":[{"role":"user","content":"hi"}],"num_retries":3}""");
        for (var i = 0; i < 10 && !pending.IsCompleted; i++)
        {
            await RetryTests.WaitUntil(() => pending.IsCompleted || time.PendingTimers > 0);
            time.Advance(TimeSpan.FromSeconds(1));
        }
        using var response = await pending;

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(4, _a.Requests.Count);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(ClientRoutingCaps.MinCap, false)]
    public async Task LongClientFallbackList_NamesPastCapNotTried(int unknownNamesFirst, bool goodTried)
    {
        _a.FailThenAnswer(int.MaxValue, 500, "never");
        _b.FailThenAnswer(0, 200, "from good");
        await using var gateway = await TestGateway.StartAsync(
            Deployment("front", _a, "dep-a") + "\n" + Deployment("good", _b, "dep-b"), "router_settings:\n  num_retries: 0");
        var names = string.Concat(Enumerable.Range(0, unknownNamesFirst).Select(i => $"\"missing-{i}\","));

        using var response = await gateway.PostJsonAsync("/v1/chat/completions",
            $$"""{"model":"front","messages":[{"role":"user","content":"hi"}],"fallbacks":[{{names}}"good"]}""");

        Assert.Equal(goodTried ? HttpStatusCode.OK : HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(goodTried ? 1 : 0, _b.Requests.Count);
    }

    [Fact]
    public async Task ClientTimeoutAboveRequestTimeout_ConfiguredTimeoutApplies()
    {
        var time = new ManualTime();
        _a.FailThenAnswer(int.MaxValue, 429, "never", retryAfter: "8");
        await using var gateway = await TestGateway.StartAsync(Deployment("front", _a, "dep-a"), "litellm_settings:\n  request_timeout: 5", time);

        var pending = gateway.PostJsonAsync("/v1/chat/completions",
            """{"model":"front","messages":[{"role":"user","content":"hi"}],"timeout":100000}""");
        await RetryTests.WaitUntil(() => _a.Requests.Count == 1 && time.PendingTimers >= 2); // the deadline and the backoff
        time.Advance(TimeSpan.FromSeconds(6));
        await RetryTests.WaitUntil(() => pending.IsCompleted);
        using var response = await pending;

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Single(_a.Requests);
    }
}
