using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Admin;

/// <summary><c>GET /model/live</c>: the router's own view of each deployment, for the Models page.</summary>
public sealed class ModelLiveTests : IAsyncLifetime
{
    private const string Completion = """
        {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}
        """;

    private readonly FakeTime _time = new();
    private FakeUpstream _refusing = null!;
    private FakeUpstream _slow = null!;
    private TestGateway _gateway = null!;
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task InitializeAsync()
    {
        _refusing = await FakeUpstream.StartAsync();
        _refusing.RespondJson("""{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}""", 401);
        _slow = await FakeUpstream.StartAsync();
        _slow.Handle(async (c, _) =>
        {
            await _release.Task.WaitAsync(TimeSpan.FromSeconds(20));
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync(Completion);
        });
        _gateway = await TestGateway.StartAsync($"""
            - model_name: refused
              litellm_params:
                model: openai/gpt-4o
                api_base: {_refusing.Url}/v1
                api_key: sk-upstream-wrong
              model_info:
                id: refused-1
            - model_name: slow
              litellm_params:
                model: openai/gpt-4o
                api_base: {_slow.Url}/v1
                api_key: sk-upstream
              model_info:
                id: slow-1
            """, "router_settings:\n  cooldown_time: 30", time: _time);
    }

    public async Task DisposeAsync()
    {
        _release.TrySetResult();
        await _gateway.DisposeAsync();
        await _refusing.DisposeAsync();
        await _slow.DisposeAsync();
    }

    private async Task<JsonElement> DeploymentAsync(string id) =>
        (await _gateway.GetAdminAsync("/model/live")).GetProperty("data").EnumerateArray().Single(d => d.GetProperty("model_id").GetString() == id);

    [Fact]
    public async Task FreshDeployments_AreHealthyWithNothingInFlight()
    {
        var refused = await DeploymentAsync("refused-1");

        Assert.Equal("refused", refused.GetProperty("model_name").GetString());
        Assert.Equal("openai", refused.GetProperty("litellm_provider").GetString());
        Assert.True(refused.GetProperty("healthy").GetBoolean());
        Assert.Equal(0, refused.GetProperty("in_flight").GetInt32());
        Assert.Equal(JsonValueKind.Null, refused.GetProperty("cooldown_until").ValueKind);
        Assert.Equal(JsonValueKind.Null, refused.GetProperty("cooldown_reason").ValueKind);
    }

    [Fact]
    public async Task ProviderRefusesTheKey_DeploymentShowsCoolingDownUntilWhenAndWhy()
    {
        var key = await _gateway.NewKeyAsync();
        using (var response = await _gateway.ChatAsync(key, """{"model":"refused","messages":[{"role":"user","content":"hi"}]}"""))
            Assert.False(response.IsSuccessStatusCode);

        var refused = await DeploymentAsync("refused-1");

        Assert.False(refused.GetProperty("healthy").GetBoolean());
        Assert.Equal(401, refused.GetProperty("cooldown_status").GetInt32());
        Assert.Contains("401", refused.GetProperty("cooldown_reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(_time.GetUtcNow().AddSeconds(30), refused.GetProperty("cooldown_until").GetDateTimeOffset());
        Assert.True((await DeploymentAsync("slow-1")).GetProperty("healthy").GetBoolean());

        _time.Advance(TimeSpan.FromSeconds(31));
        var after = await DeploymentAsync("refused-1");
        Assert.True(after.GetProperty("healthy").GetBoolean());
        Assert.Equal(JsonValueKind.Null, after.GetProperty("cooldown_status").ValueKind);
    }

    [Fact]
    public async Task RequestWaitingOnTheProvider_CountsInFlightUntilItEnds()
    {
        var key = await _gateway.NewKeyAsync();
        var pending = _gateway.ChatAsync(key, """{"model":"slow","messages":[{"role":"user","content":"hi"}]}""");
        var inFlight = 0;
        // Bounded wait for the request to reach the upstream: a count, not a timing assertion.
        for (var i = 0; i < 400 && inFlight == 0; i++)
        {
            inFlight = (await DeploymentAsync("slow-1")).GetProperty("in_flight").GetInt32();
            if (inFlight == 0)
                await Task.Delay(25);
        }

        Assert.Equal(1, inFlight);
        _release.SetResult();
        using (var response = await pending)
            Assert.True(response.IsSuccessStatusCode);
        // The count drops as the attempt ends, which may follow the last byte the client read.
        for (var i = 0; i < 400 && inFlight != 0; i++)
        {
            inFlight = (await DeploymentAsync("slow-1")).GetProperty("in_flight").GetInt32();
            if (inFlight != 0)
                await Task.Delay(25);
        }
        Assert.Equal(0, inFlight);
    }
}
