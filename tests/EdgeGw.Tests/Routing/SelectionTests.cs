using EdgeGw.Config;
using EdgeGw.Limits;
using EdgeGw.Providers;
using EdgeGw.Providers.Mock;
using EdgeGw.Routing;

namespace EdgeGw.Tests.Routing;

/// <summary>The strategies, driven directly: many draws with loose bounds where the pick is random.</summary>
public sealed class SelectionTests
{
    private static readonly long Now = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero).UtcTicks;

    private static ChatEndpoint Endpoint(string id, double? weight = null, int? tpm = null, int? rpm = null, int? order = null, decimal? cost = null)
    {
        var deployment = new Deployment
        {
            Index = 0, ModelName = "g", Provider = "mock", ModelId = "m", Id = id,
            Weight = weight, Tpm = tpm, Rpm = rpm, Order = order, InputCostPerToken = cost, OutputCostPerToken = cost,
        };
        var endpoint = new MockChatEndpoint(deployment, TimeProvider.System);
        endpoint.Limits = new LimitRegistry().ForDeployment(deployment, Now);
        return endpoint;
    }

    private static ModelGroup Group(RoutingStrategy strategy, params ChatEndpoint[] endpoints) =>
        new("g", endpoints, new RouterSettings { Strategy = strategy });

    private static string Pick(ModelGroup group, DeploymentSet exclude = default)
    {
        var targets = new LimitTargets();
        var outcome = group.TryPickAdmitted(ref targets, 0, 10, Now, exclude, out var index, out var admission, out _);
        Assert.Equal(PickOutcome.Admitted, outcome);
        admission.Complete(10, Now);
        return group.Endpoints[index].Deployment.Id;
    }

    private static Dictionary<string, int> Draws(ModelGroup group, int n)
    {
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < n; i++)
        {
            var id = Pick(group);
            counts[id] = counts.GetValueOrDefault(id) + 1;
        }
        return counts;
    }

    [Fact]
    public void SimpleShuffleWithWeights_SplitsInProportion()
    {
        var group = Group(RoutingStrategy.SimpleShuffle, Endpoint("a", weight: 1), Endpoint("b", weight: 3));

        var counts = Draws(group, 4000);

        Assert.InRange(counts["b"] / (double)(counts["a"] + counts["b"]), 0.70, 0.80);
    }

    [Fact]
    public void LowerOrder_AlwaysPickedWhileAvailable()
    {
        var group = Group(RoutingStrategy.SimpleShuffle, Endpoint("second", order: 2), Endpoint("first", order: 1), Endpoint("none"));
        var triedFirst = new DeploymentSet();
        triedFirst.Add(1, 3);

        Assert.All(Enumerable.Range(0, 50), _ => Assert.Equal("first", Pick(group)));
        Assert.Equal("second", Pick(group, triedFirst));
    }

    [Fact]
    public void CoolingDeployment_NeverPicked()
    {
        var group = Group(RoutingStrategy.SimpleShuffle, Endpoint("a"), Endpoint("b"));
        group.Endpoints[0].Health.CoolDown(Now + TimeSpan.TicksPerMinute);

        Assert.All(Enumerable.Range(0, 50), _ => Assert.Equal("b", Pick(group)));
    }

    [Fact]
    public void LeastBusy_PicksFewestInFlight()
    {
        var group = Group(RoutingStrategy.LeastBusy, Endpoint("a"), Endpoint("b"), Endpoint("c"));
        group.Endpoints[0].Health.Enter();
        group.Endpoints[2].Health.Enter();
        group.Endpoints[2].Health.Enter();

        Assert.All(Enumerable.Range(0, 50), _ => Assert.Equal("b", Pick(group)));
    }

    [Fact]
    public void LeastBusyTie_SharedEvenly()
    {
        var group = Group(RoutingStrategy.LeastBusy, Endpoint("a"), Endpoint("b"));

        var counts = Draws(group, 2000);

        Assert.InRange(counts["a"] / 2000.0, 0.4, 0.6);
    }

    [Fact]
    public void LatencyBased_PicksFastestAndBufferWidensChoice()
    {
        ChatEndpoint[] endpoints = [Endpoint("slow"), Endpoint("fast")];
        endpoints[0].Health.RecordLatency(TimeSpan.FromSeconds(1));
        endpoints[1].Health.RecordLatency(TimeSpan.FromSeconds(0.6));
        var strict = Group(RoutingStrategy.LatencyBased, endpoints);
        var buffered = new ModelGroup("g", endpoints, new RouterSettings { Strategy = RoutingStrategy.LatencyBased, LowestLatencyBuffer = 1 });

        Assert.All(Enumerable.Range(0, 50), _ => Assert.Equal("fast", Pick(strict)));
        Assert.InRange(Draws(buffered, 2000).GetValueOrDefault("slow") / 2000.0, 0.4, 0.6);
    }

    [Fact]
    public void LatencyAverage_FollowsRecentSamples()
    {
        var health = new DeploymentHealth();
        health.RecordLatency(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 30; i++)
            health.RecordLatency(TimeSpan.FromSeconds(0.1));

        Assert.InRange(health.Latency, 0.09, 0.11);
    }

    [Fact]
    public void UsageBased_PrefersMostRemainingThenBalances()
    {
        var group = Group(RoutingStrategy.UsageBased, Endpoint("big", tpm: 1000), Endpoint("small", tpm: 500));

        var first = Enumerable.Range(0, 50).Select(_ => Pick(group)).ToList();
        var next = Draws(group, 40);

        Assert.All(first, id => Assert.Equal("big", id)); // 500 tokens used of 1000 before small has more left
        Assert.InRange(next.GetValueOrDefault("small"), 15, 25);
    }

    [Fact]
    public void CostBased_PicksCheapest()
    {
        var group = Group(RoutingStrategy.CostBased, Endpoint("dear", cost: 0.00002m), Endpoint("cheap", cost: 0.000001m), Endpoint("unpriced"));

        Assert.All(Enumerable.Range(0, 50), _ => Assert.Equal("cheap", Pick(group)));
    }

    [Fact]
    public void SaturatedDeployment_Skipped()
    {
        var group = Group(RoutingStrategy.SimpleShuffle, Endpoint("a", rpm: 1), Endpoint("b", rpm: 1000));

        var picks = Enumerable.Range(0, 20).Select(_ => Pick(group)).ToList();

        Assert.True(picks.Count(p => p == "a") <= 1);
    }

    [Fact]
    public void HealthRegistry_SameStateForSameDeploymentId()
    {
        var registry = new HealthRegistry();
        registry.For("dep-1").CoolDown(Now + 1000);

        Assert.True(registry.For("dep-1").IsCoolingDown(Now));
        Assert.False(registry.For("dep-2").IsCoolingDown(Now));
    }
}
