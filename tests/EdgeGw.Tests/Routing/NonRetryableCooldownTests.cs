using System.Net;
using EdgeGw.Tests.Infrastructure;
using static EdgeGw.Tests.Routing.RouterWire;

namespace EdgeGw.Tests.Routing;

/// <summary>
/// A deployment whose error no retry can fix (an invalid key's 401, a 404) is parked at its first
/// failure, as LiteLLM's router does, instead of taking requests until half of five have failed.
/// </summary>
public sealed class NonRetryableCooldownTests : IAsyncLifetime
{
    private const string InvalidKey = "sk-invalid-key";
    private FakeUpstream _openAi = null!;

    public async Task InitializeAsync()
    {
        _openAi = await FakeUpstream.StartAsync();
        // One OpenAI account, two keys: the way api.openai.com answers each.
        _openAi.Handle(async (c, r) =>
        {
            c.Response.ContentType = "application/json";
            if (r.Headers["authorization"] == "Bearer " + InvalidKey)
            {
                c.Response.StatusCode = 401;
                await c.Response.WriteAsync(Error("Incorrect API key provided: sk-inval***-key.", "invalid_request_error", "invalid_api_key"));
                return;
            }
            await c.Response.WriteAsync(Completion("pooled"));
        });
    }

    public async Task DisposeAsync() => await _openAi.DisposeAsync();

    private string Pool(string firstKey, string secondKey, string extra = "") => $"""
        - model_name: gpt4o-pool
          litellm_params:
            model: openai/gpt-4o
            api_key: {firstKey}
            api_base: {_openAi.Url}/v1
        {extra}- model_name: gpt4o-pool
          litellm_params:
            model: openai/gpt-4o
            api_key: {secondKey}
            api_base: {_openAi.Url}/v1
        """;

    private const string TutorialSettings = """
        litellm_settings:
          num_retries: 3
          request_timeout: 60
          drop_params: true
        """;

    private static int Sent(FakeUpstream upstream, string key) => upstream.Requests.Count(r => r.Headers["authorization"] == "Bearer " + key);

    [Fact]
    public async Task TutorialPoolWithOneInvalidKey_InvalidKeyTriedOnceThenParked()
    {
        await using var gateway = await TestGateway.StartAsync(Pool("sk-valid-1", InvalidKey), TutorialSettings, new FakeTime());

        for (var i = 0; i < 12; i++)
        {
            using var response = await gateway.PostJsonAsync("/v1/chat/completions",
                """{"model":"gpt4o-pool","messages":[{"role":"user","content":"Hello"}]}""");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.True(Sent(_openAi, InvalidKey) <= 1, $"the invalid key was sent {Sent(_openAi, InvalidKey)} requests");
        Assert.Equal(12, Sent(_openAi, "sk-valid-1"));
    }

    [Fact]
    public async Task InvalidKeyFirstInOrder_ParkedAfterFirst401UntilCooldownEnds()
    {
        var time = new ManualTime();
        var ordered = Pool(InvalidKey, "sk-valid-1").Replace("api_key: " + InvalidKey, "api_key: " + InvalidKey + "\n    order: 1", StringComparison.Ordinal)
            .Replace("api_key: sk-valid-1", "api_key: sk-valid-1\n    order: 2", StringComparison.Ordinal);
        await using var gateway = await TestGateway.StartAsync(ordered, "router_settings:\n  num_retries: 1\n  cooldown_time: 30", time);

        for (var i = 0; i < 4; i++)
        {
            using var response = await gateway.PostJsonAsync("/v1/chat/completions", """{"model":"gpt4o-pool","messages":[{"role":"user","content":"Hello"}]}""");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(1, Sent(_openAi, InvalidKey));

        time.Advance(TimeSpan.FromSeconds(30));
        using var afterCooldown = await gateway.PostJsonAsync("/v1/chat/completions", """{"model":"gpt4o-pool","messages":[{"role":"user","content":"Hello"}]}""");

        Assert.Equal(HttpStatusCode.OK, afterCooldown.StatusCode);
        Assert.Equal(2, Sent(_openAi, InvalidKey));
    }

    [Fact]
    public async Task ServerErrorsBelowFiveRequests_DeploymentStaysInRotation()
    {
        await using var flaky = await FakeUpstream.StartAsync();
        await using var healthy = await FakeUpstream.StartAsync();
        flaky.FailThenAnswer(100, 500, "never");
        healthy.FailThenAnswer(0, 200, "ok");
        await using var gateway = await TestGateway.StartAsync(
            Deployment("front", flaky, "dep-a", order: 1) + "\n" + Deployment("front", healthy, "dep-b", order: 2),
            "router_settings:\n  num_retries: 1", new ManualTime());

        for (var i = 0; i < 2; i++)
        {
            using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // A 500 may pass: two failures out of four requests this minute do not park it.
        Assert.Equal(2, flaky.Requests.Count);
    }

    [Fact]
    public async Task LoneDeploymentWithInvalidKey_ParkedToo()
    {
        await using var gateway = await TestGateway.StartAsync($"""
            - model_name: solo
              litellm_params:
                model: openai/gpt-4o
                api_key: {InvalidKey}
                api_base: {_openAi.Url}/v1
            """, "router_settings:\n  num_retries: 0", new ManualTime());

        using var first = await gateway.PostJsonAsync("/v1/chat/completions", """{"model":"solo","messages":[{"role":"user","content":"Hello"}]}""");
        using var second = await gateway.PostJsonAsync("/v1/chat/completions", """{"model":"solo","messages":[{"role":"user","content":"Hello"}]}""");

        Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Single(_openAi.Requests);
    }
}
