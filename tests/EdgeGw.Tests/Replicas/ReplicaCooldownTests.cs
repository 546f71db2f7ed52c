using System.Net;
using EdgeGw.Tests.Infrastructure;
using static EdgeGw.Tests.Routing.RouterWire;

namespace EdgeGw.Tests.Replicas;

/// <summary>Router state shared through Redis: what one replica learns about a deployment, the others act on.</summary>
[Collection(ReplicaCollection.Name)]
public sealed class ReplicaCooldownTests(ReplicaServers servers) : IAsyncLifetime
{
    private FakeUpstream _failing = null!;
    private FakeUpstream _healthy = null!;

    public async Task InitializeAsync()
    {
        _failing = await FakeUpstream.StartAsync();
        _healthy = await FakeUpstream.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _failing.DisposeAsync();
        await _healthy.DisposeAsync();
    }

    [Fact]
    public async Task DeploymentCooledDownOnOneReplica_IsSkippedByTheOthers()
    {
        _failing.FailThenAnswer(100, 500, "never");
        _healthy.FailThenAnswer(0, 200, "from b");
        // dep-a first in order: a replica that does not know it is cooling sends there first.
        await using var replicas = await ThreeReplicas.StartAsync(servers,
            Deployment("front", _failing, "dep-a", order: 1) + "\n" + Deployment("front", _healthy, "dep-b", order: 2),
            router: "  allowed_fails: 0\n  cooldown_time: 60\n  num_retries: 0");

        using (var failed = await replicas[0].PostJsonAsync("/v1/chat/completions", Chat))
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);

        // The cooldown reaches the others over Redis pub/sub, a round trip after the failure: sent only once it has landed.
        foreach (var other in replicas.All.Skip(1))
            await CoolingWithinAsync(other, "dep-a", TimeSpan.FromSeconds(2));
        foreach (var other in replicas.All.Skip(1))
        {
            using var served = await other.PostJsonAsync("/v1/chat/completions", Chat);
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            Assert.Equal("dep-b", Header(served, "x-litellm-model-id"));
        }
        Assert.Single(_failing.Requests);
    }

    private static async Task CoolingWithinAsync(TestGateway replica, string deploymentId, TimeSpan bound)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (replica.Runtime.Health.Find(deploymentId)?.IsCoolingDown(DateTimeOffset.UtcNow.UtcTicks) != true)
        {
            Assert.True(clock.Elapsed < bound, $"{deploymentId} cooled down on one replica was not cooling on another within {bound.TotalSeconds} s");
            await Task.Delay(10);
        }
    }
}
