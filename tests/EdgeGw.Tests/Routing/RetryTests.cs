using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;
using static EdgeGw.Tests.Routing.RouterWire;

namespace EdgeGw.Tests.Routing;

public sealed class RetryTests : IAsyncLifetime
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

    private Task<TestGateway> TwoDeployments(string routerYaml = "", TimeProvider? time = null) =>
        TestGateway.StartAsync(Deployment("front", _a, "dep-a", order: 1) + "\n" + Deployment("front", _b, "dep-b", order: 2), routerYaml, time);

    private static async Task<string> Content(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;

    [Fact]
    public async Task ServerErrorOnFirstDeployment_RetriedOnOtherAtOnce()
    {
        _a.FailThenAnswer(100, 500, "from a");
        _b.FailThenAnswer(0, 200, "from b");
        await using var gateway = await TwoDeployments();

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("from b", await Content(response));
        Assert.Equal("dep-b", Header(response, "x-litellm-model-id"));
        Assert.Equal("front", Header(response, "x-litellm-model-group"));
        Assert.Equal("1", Header(response, "x-litellm-attempted-retries"));
        Assert.Equal("0", Header(response, "x-litellm-attempted-fallbacks"));
        Assert.Equal(_b.Url + "/v1", Header(response, "x-litellm-model-api-base"));
        Assert.Single(_a.Requests);
    }

    [Fact]
    public async Task RetriedRequest_SpendRowNamesDeploymentThatAnswered()
    {
        _a.FailThenAnswer(100, 500, "from a");
        _b.FailThenAnswer(0, 200, "from b");
        await using var gateway = await TwoDeployments();

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat);
        var rows = await gateway.GetAdminAsync("/spend/logs");

        var row = Assert.Single(rows.EnumerateArray());
        Assert.Equal("dep-b", row.GetProperty("model_id").GetString());
        Assert.Equal(_b.Url + "/v1", row.GetProperty("api_base").GetString());
        Assert.Equal("front", row.GetProperty("model_group").GetString());
    }

    [Fact]
    public async Task ClosedPort_RetriedOnOtherDeployment()
    {
        _b.FailThenAnswer(0, 200, "from b");
        await using var gateway = await TestGateway.StartAsync("""
            - model_name: front
              litellm_params: { model: openai/up-model, api_base: "http://127.0.0.1:1/v1", order: 1 }
            """ + "\n" + Deployment("front", _b, "dep-b", order: 2));

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("dep-b", Header(response, "x-litellm-model-id"));
    }

    [Fact]
    public async Task CallerBadRequest_NotRetried()
    {
        _a.FailThenAnswer(100, 400, "never");
        _b.FailThenAnswer(0, 200, "from b");
        await using var gateway = await TwoDeployments();

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Single(_a.Requests);
        Assert.Empty(_b.Requests);
    }

    [Fact]
    public async Task NumRetriesZeroInBody_NotRetriedAndKeyNotSentUpstream()
    {
        _a.FailThenAnswer(100, 500, "never");
        _b.FailThenAnswer(0, 200, "from b");
        await using var gateway = await TwoDeployments();

        using var response = await gateway.PostJsonAsync("/v1/chat/completions",
            """{"num_retries":0,"model":"front","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Empty(_b.Requests);
        Assert.DoesNotContain("num_retries", _a.LastRequest.BodyText, StringComparison.Ordinal);
        using var sent = _a.LastRequest.Json();
        Assert.Equal("up-model", sent.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task NumRetriesHeaderZero_NotRetried()
    {
        _a.FailThenAnswer(100, 500, "never");
        _b.FailThenAnswer(0, 200, "from b");
        await using var gateway = await TwoDeployments();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"front","messages":[{"role":"user","content":"hi"}]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-litellm-num-retries", "0");
        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Single(_a.Requests);
        Assert.Empty(_b.Requests);
    }

    [Fact]
    public async Task RateLimitWithRetryAfter_SingleDeploymentWaitsInVirtualTimeThenAnswers()
    {
        var time = new ManualTime();
        _a.FailThenAnswer(1, 429, "after wait", retryAfter: "5");
        await using var gateway = await TestGateway.StartAsync(Deployment("front", _a, "dep-a"), "", time);

        var pending = gateway.PostJsonAsync("/v1/chat/completions", Chat);
        await WaitUntil(() => _a.Requests.Count == 1 && time.PendingTimers > 0);
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(pending.IsCompleted);
        Assert.Single(_a.Requests);
        time.Advance(TimeSpan.FromSeconds(1));
        using var response = await pending;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("after wait", await Content(response));
        Assert.Equal(2, _a.Requests.Count);
        Assert.Equal("1", Header(response, "x-litellm-attempted-retries"));
    }

    [Fact]
    public async Task RetryPolicyZeroForRateLimits_RateLimitReturnedAtOnce()
    {
        _a.FailThenAnswer(100, 429, "never", retryAfter: "2");
        await using var gateway = await TestGateway.StartAsync(Deployment("front", _a, "dep-a"),
            "router_settings:\n  num_retries: 3\n  retry_policy: { RateLimitErrorRetries: 0 }");

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);
        Assert.Single(_a.Requests);
    }

    [Fact]
    public async Task StreamFailingBeforeFirstByte_RetryInvisibleToClient()
    {
        _a.FailThenAnswer(100, 503, "never");
        _b.RespondStream(Stream("streamed"));
        await using var gateway = await TwoDeployments();

        using var response = await gateway.PostStreamAsync("/v1/chat/completions",
            """{"model":"front","stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("streamed", Sse.Text(body));
        Assert.DoesNotContain("error", body, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
        Assert.Equal("dep-b", Header(response, "x-litellm-model-id"));
    }

    [Fact]
    public async Task StreamCutAfterFirstByte_NotRetriedClientGetsInBandError()
    {
        _a.Handle(async (c, _) =>
        {
            c.Response.ContentType = "text/event-stream";
            await c.Response.WriteAsync(Stream("partial")[0]);
            await c.Response.Body.FlushAsync();
            await Task.Delay(300); // lets the chunk reach the gateway before the reset
            c.Abort();
        });
        _b.RespondStream(Stream("never"));
        await using var gateway = await TwoDeployments();

        using var response = await gateway.PostStreamAsync("/v1/chat/completions",
            """{"model":"front","stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.Contains("partial", StringComparison.Ordinal), body);
        Assert.Contains("\"error\"", body, StringComparison.Ordinal);
        Assert.Single(_a.Requests);
        Assert.Empty(_b.Requests);
    }

    internal static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 2000 && !condition(); i++)
            await Task.Delay(5);
        Assert.True(condition());
    }
}
