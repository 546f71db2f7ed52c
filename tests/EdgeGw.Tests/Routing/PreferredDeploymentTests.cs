using EdgeGw.Config;
using EdgeGw.Limits;
using EdgeGw.Providers;
using EdgeGw.Providers.Mock;
using EdgeGw.Routing;

namespace EdgeGw.Tests.Routing;

/// <summary>A preferred deployment (a Responses follow-up's previous deployment) is tried before the strategy draws.</summary>
public sealed class PreferredDeploymentTests
{
    private static readonly long Now = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero).UtcTicks;

    private static ChatEndpoint Endpoint(string id, int? rpm = null)
    {
        var deployment = new Deployment { Index = 0, ModelName = "g", Provider = "mock", ModelId = "m", Id = id, Rpm = rpm };
        var endpoint = new MockChatEndpoint(deployment, TimeProvider.System);
        endpoint.Limits = new LimitRegistry().ForDeployment(deployment, Now);
        return endpoint;
    }

    private static (PickOutcome Outcome, string? Id) Pick(ModelGroup group, string? preferred, DeploymentSet exclude = default)
    {
        var targets = new LimitTargets();
        var outcome = group.TryPickAdmitted(ref targets, 0, 10, Now, exclude, out var index, out var admission, out _, preferred);
        if (outcome != PickOutcome.Admitted)
            return (outcome, null);
        admission.Complete(10, Now);
        return (outcome, group.Endpoints[index].Deployment.Id);
    }

    [Fact]
    public void PreferredDeployment_AlwaysPickedWhileAvailable()
    {
        var group = new ModelGroup("g", [Endpoint("a"), Endpoint("b"), Endpoint("c")]);

        Assert.All(Enumerable.Range(0, 50), _ => Assert.Equal("c", Pick(group, "c").Id));
    }

    [Fact]
    public void PreferredDeploymentCoolingDown_AnotherPicked()
    {
        var group = new ModelGroup("g", [Endpoint("a"), Endpoint("b")]);
        group.Endpoints[1].Health.CoolDown(Now + TimeSpan.TicksPerMinute);

        Assert.All(Enumerable.Range(0, 20), _ => Assert.Equal("a", Pick(group, "b").Id));
    }

    [Fact]
    public void PreferredDeploymentAtItsRpm_AnotherPicked()
    {
        var group = new ModelGroup("g", [Endpoint("a"), Endpoint("b", rpm: 1)]);
        Assert.Equal("b", Pick(group, "b").Id);

        Assert.Equal("a", Pick(group, "b").Id);
    }

    [Fact]
    public void PreferredDeploymentAlreadyTried_RetryGoesElsewhere()
    {
        var group = new ModelGroup("g", [Endpoint("a"), Endpoint("b")]);
        var tried = new DeploymentSet();
        tried.Add(1, 2);

        Assert.Equal("a", Pick(group, "b", tried).Id);
    }

    [Fact]
    public void PreferredDeploymentNotInGroup_StrategyPicks()
    {
        var group = new ModelGroup("g", [Endpoint("a")]);

        Assert.Equal("a", Pick(group, "gone").Id);
    }
}
