using BenchmarkDotNet.Attributes;
using EdgeGw.Limits;

namespace EdgeGw.Bench;

/// <summary>One admission = rpm + tpm + parallel checks for a key and its team, then settlement.</summary>
public class AdmissionBenchmarks
{
    private const int PerThread = 100_000;
    private EntityLimits _key = null!;
    private EntityLimits _team = null!;
    private long _now;

    [GlobalSetup]
    public void Setup()
    {
        _now = DateTime.UtcNow.Ticks;
        _key = new EntityLimits("key", "k").Update(long.MaxValue / 1_000_000, long.MaxValue / 1_000_000, int.MaxValue, _now);
        _team = new EntityLimits("team", "t").Update(long.MaxValue / 1_000_000, long.MaxValue / 1_000_000, int.MaxValue, _now);
    }

    private int Run()
    {
        var admitted = 0;
        var targets = new LimitTargets();
        targets[0] = _key;
        targets[1] = _team;
        for (var i = 0; i < PerThread; i++)
        {
            if (Admission.TryAdmit(ref targets, 2, 100, _now, out var admission, out _))
            {
                admission.Complete(120, _now);
                admitted++;
            }
        }
        return admitted;
    }

    [Benchmark(OperationsPerInvoke = PerThread)]
    public int AdmitAndSettle_OneThread() => Run();

    [Benchmark(OperationsPerInvoke = 2 * PerThread)]
    public int AdmitAndSettle_TwoThreadsContended()
    {
        var other = Task.Run(Run);
        return Run() + other.GetAwaiter().GetResult();
    }
}
