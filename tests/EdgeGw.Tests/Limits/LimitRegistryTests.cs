using EdgeGw.Config;
using EdgeGw.Limits;

namespace EdgeGw.Tests.Limits;

public sealed class LimitRegistryTests
{
    private static readonly long Now = new DateTime(2026, 1, 1).Ticks;

    private static Deployment Deployment(int? rpm) => new()
    {
        Index = 0, ModelName = "gpt", Provider = "openai", ModelId = "gpt-4o", Id = "gpt-primary", Rpm = rpm,
    };

    [Fact]
    public void ConfigReload_ChangesDeploymentLimitWithoutResettingUsage()
    {
        var registry = new LimitRegistry();
        var before = registry.ForDeployment(Deployment(rpm: 4), Now)!;
        for (var i = 0; i < 4; i++)
            Assert.True(before.Requests!.TryTake(1, Now));

        // A reload builds new deployment records from the file; the id ties them to the same buckets.
        var after = registry.ForDeployment(Deployment(rpm: 6), Now)!;

        Assert.Same(before, after);
        Assert.Equal(2, after.Requests!.Remaining(Now));
    }

    [Fact]
    public void DeploymentWithoutLimits_HasNoBuckets() =>
        Assert.Null(new LimitRegistry().ForDeployment(Deployment(rpm: null), Now));

    [Fact]
    public void LimitRemovedOnReload_StopsLimiting()
    {
        var registry = new LimitRegistry();
        registry.ForDeployment(Deployment(rpm: 1), Now);
        Assert.Null(registry.ForDeployment(Deployment(rpm: null), Now));
    }
}
