using EdgeGw.Limits;

namespace EdgeGw.Tests.Limits;

/// <summary>The admission hot path allocates nothing: a regression fails here, not in a benchmark run.</summary>
public sealed class AdmissionAllocationTests
{
    [Fact]
    public void AdmitAndSettle_AllocatesNothing()
    {
        var now = DateTime.UtcNow.Ticks;
        var key = new EntityLimits("key", "k").Update(1_000_000_000, 1_000_000_000, 1_000, now);
        var team = new EntityLimits("team", "t").Update(1_000_000_000, 1_000_000_000, 1_000, now);
        var targets = new LimitTargets();
        targets[0] = key;
        targets[1] = team;

        void Run(int times)
        {
            for (var i = 0; i < times; i++)
            {
                Assert.True(Admission.TryAdmit(ref targets, 2, 100, now, out var admission, out _));
                admission.Complete(120, now);
                key.Ensure(1_000_000_000, 1_000_000_000, 1_000, now);
            }
        }

        Run(1_000); // warm up: JIT, tiered compilation
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(10_000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }
}
