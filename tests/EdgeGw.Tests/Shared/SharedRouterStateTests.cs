using System.Diagnostics;
using System.Net;
using EdgeGw.Routing;
using EdgeGw.Tests.Infrastructure;
using EdgeGw.Tests.Routing;
using static EdgeGw.Tests.Routing.RouterWire;

namespace EdgeGw.Tests.Shared;

/// <summary>Two gateways on one Redis: a deployment's cooldown, failures, latency and usage seen on one steer the other.</summary>
[Collection(RedisCollection.Name)]
public sealed class SharedRouterStateTests(RedisServer redis) : IAsyncLifetime
{
    // A cooldown is announced at once; a replica that missed it reads it within its next 1 s refresh.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(3);
    private FakeUpstream _a = null!;
    private FakeUpstream _b = null!;

    public async Task InitializeAsync()
    {
        redis.Flush();
        _a = await FakeUpstream.StartAsync();
        _b = await FakeUpstream.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    private string Settings(string more = "") => $"router_settings:\n  redis_url: {redis.Url}\n  cooldown_time: 60\n{more}";

    private string OrderedPair => Deployment("front", _a, "dep-a", order: 1) + "\n" + Deployment("front", _b, "dep-b", order: 2);

    private static DeploymentHealth HealthOf(TestGateway gateway, string id) => gateway.Runtime.Health.Find(id)!;

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds; returns whether it did.</summary>
    private static async Task<bool> WithinAsync(TimeSpan bound, Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > bound)
                return false;
            await Task.Delay(20);
        }
        return true;
    }

    private static bool Cooling(TestGateway gateway, string id, TimeProvider? time = null) =>
        HealthOf(gateway, id).IsCoolingDown((time ?? TimeProvider.System).GetUtcNow().UtcTicks);

    [Fact]
    public async Task CooldownOnOneReplica_OtherSkipsTheDeployment()
    {
        _a.FailThenAnswer(100, 429, "never");
        _b.FailThenAnswer(0, 200, "from b");
        await using var one = await TestGateway.StartAsync(OrderedPair, Settings());
        await using var two = await TestGateway.StartAsync(OrderedPair, Settings());

        using (var first = await one.PostJsonAsync("/v1/chat/completions", Chat))
            Assert.Equal("dep-b", Header(first, "x-litellm-model-id"));
        Assert.True(await WithinAsync(Bound, () => Cooling(two, "dep-a")));
        using var onTwo = await two.PostJsonAsync("/v1/chat/completions", Chat);

        Assert.Equal(HttpStatusCode.OK, onTwo.StatusCode);
        Assert.Equal("dep-b", Header(onTwo, "x-litellm-model-id"));
        Assert.Equal("0", Header(onTwo, "x-litellm-attempted-retries"));
        Assert.Single(_a.Requests);
    }

    [Fact]
    public async Task CooldownBeforeReplicaStarts_NewReplicaSkipsTheDeployment()
    {
        _a.FailThenAnswer(100, 429, "never");
        _b.FailThenAnswer(0, 200, "from b");
        await using var one = await TestGateway.StartAsync(OrderedPair, Settings());
        using (var first = await one.PostJsonAsync("/v1/chat/completions", Chat))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.True(await WithinAsync(Bound, () => redis.Database.KeyExists("edgegw:{edgegw}:cooldown:dep-a")));

        await using var late = await TestGateway.StartAsync(OrderedPair, Settings());
        Assert.True(await WithinAsync(Bound, () => Cooling(late, "dep-a")));
        using var onLate = await late.PostJsonAsync("/v1/chat/completions", Chat);

        Assert.Equal("dep-b", Header(onLate, "x-litellm-model-id"));
        Assert.Single(_a.Requests);
    }

    [Fact]
    public async Task AllowedFailsSpreadOverReplicas_CountedTogether()
    {
        _a.FailThenAnswer(100, 500, "never");
        _b.FailThenAnswer(0, 200, "from b");
        var settings = Settings("  allowed_fails: 1\n  num_retries: 0");
        // One clock for both, standing still: the failures cannot straddle a minute.
        var time = new ManualTime();
        await using var one = await TestGateway.StartAsync(OrderedPair, settings, time);
        await using var two = await TestGateway.StartAsync(OrderedPair, settings, time);

        // One failure on each: neither replica alone is past allowed_fails, together they are.
        using (var failed = await one.PostJsonAsync("/v1/chat/completions", Chat))
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.True(await WithinAsync(Bound, () => redis.Server.Keys(pattern: "edgegw:{edgegw}:fails:dep-a:*").Any()));
        using (var failed = await two.PostJsonAsync("/v1/chat/completions", Chat))
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.True(await WithinAsync(Bound, () => Cooling(one, "dep-a", time) && Cooling(two, "dep-a", time)));
        using var next = await one.PostJsonAsync("/v1/chat/completions", Chat);

        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal("dep-b", Header(next, "x-litellm-model-id"));
        Assert.Equal(2, _a.Requests.Count);
    }

    [Fact]
    public async Task UsageOnOneReplica_UsageBasedRoutingOnTheOtherGoesElsewhere()
    {
        _a.FailThenAnswer(0, 200, "from a");
        _b.FailThenAnswer(0, 200, "from b");
        const string tpm = "    tpm: 1000\n";
        var settings = Settings("  routing_strategy: usage-based-routing-v2");
        // One clock for both, standing still: the usage cannot straddle a minute.
        var time = new ManualTime();
        // The first replica serves the group from dep-a alone; the second may pick either.
        await using var one = await TestGateway.StartAsync(Deployment("front", _a, "dep-a", extra: tpm), settings, time);
        await using var two = await TestGateway.StartAsync(Deployment("front", _a, "dep-a", extra: tpm) + "\n" + Deployment("front", _b, "dep-b", extra: tpm), settings, time);

        // A small max_tokens keeps each reservation (prompt + output cap) far below tpm: a request sent
        // before Redis settles the previous one to its 5 tokens must still fit, as on a real sequential client.
        const string small = """{"model":"front","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""";
        for (var i = 0; i < 4; i++)
        {
            using var used = await one.PostJsonAsync("/v1/chat/completions", small);
            Assert.Equal(HttpStatusCode.OK, used.StatusCode);
        }
        // 4 × 5 tokens on dep-a: the second replica's three requests (5 each) leave dep-b with more left.
        Assert.True(await WithinAsync(Bound, () => HealthOf(two, "dep-a").SharedUsed(true, time.GetUtcNow().UtcTicks) >= 20));
        var picked = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await two.PostJsonAsync("/v1/chat/completions", small);
            picked.Add(Header(response, "x-litellm-model-id"));
        }

        Assert.Equal(["dep-b", "dep-b", "dep-b"], picked);
    }

    [Fact]
    public async Task SuccessInASimpleShuffleGroup_WritesNoUsageToRedis()
    {
        _a.FailThenAnswer(0, 200, "from a");
        await using var gateway = await TestGateway.StartAsync(Deployment("front", _a, "dep-a", extra: "    tpm: 1000\n"), Settings());

        using (var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The once-a-second refresh reads usage (creating nothing); only a usage-based group writes it.
        await Task.Delay(1200);

        Assert.Empty(redis.Server.Keys(pattern: "edgegw:{edgegw}:usage:*"));
    }

    [Fact]
    public async Task LatencyMeasuredOnOneReplica_LatencyBasedRoutingOnTheOtherAvoidsTheSlowDeployment()
    {
        _a.Handle(async (c, _) =>
        {
            await Task.Delay(300);
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync(Completion("slow"));
        });
        _b.FailThenAnswer(0, 200, "fast");
        var settings = Settings("  routing_strategy: latency-based-routing");
        await using var one = await TestGateway.StartAsync(Deployment("front", _a, "dep-a"), settings);
        await using var two = await TestGateway.StartAsync(Deployment("front", _a, "dep-a") + "\n" + Deployment("front", _b, "dep-b"), settings);

        using (var slow = await one.PostJsonAsync("/v1/chat/completions", Chat))
            Assert.Equal(HttpStatusCode.OK, slow.StatusCode);
        // Never measured here counts as fastest: only the other replica's measurement keeps dep-a out.
        Assert.True(await WithinAsync(Bound, () => HealthOf(two, "dep-a").Latency > 0.2));
        var picked = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await two.PostJsonAsync("/v1/chat/completions", Chat);
            picked.Add(Header(response, "x-litellm-model-id"));
        }

        Assert.Equal(["dep-b", "dep-b", "dep-b"], picked);
        Assert.Single(_a.Requests);
    }

    [Fact]
    public async Task RedisDown_RoutingAndCooldownsStayLocal()
    {
        redis.Shutdown();
        try
        {
            _a.FailThenAnswer(100, 429, "never");
            _b.FailThenAnswer(0, 200, "from b");
            await using var gateway = await TestGateway.StartAsync(OrderedPair, Settings());

            using var first = await gateway.PostJsonAsync("/v1/chat/completions", Chat);
            using var whileCooling = await gateway.PostJsonAsync("/v1/chat/completions", Chat);

            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal("dep-b", Header(first, "x-litellm-model-id"));
            Assert.Equal("dep-b", Header(whileCooling, "x-litellm-model-id"));
            Assert.Equal("0", Header(whileCooling, "x-litellm-attempted-retries"));
            Assert.Single(_a.Requests);
        }
        finally
        {
            redis.Restart();
        }
    }
}
