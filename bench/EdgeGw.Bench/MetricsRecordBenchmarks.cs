using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using EdgeGw.Auth;
using EdgeGw.Config;
using EdgeGw.Observability;

namespace EdgeGw.Bench;

/// <summary>
/// Recording one finished request in the Prometheus counters: the series lookup by deployment,
/// the key's series, the status/tokens/spend counters and six fixed-bucket histograms. Expected: 0 B.
/// </summary>
public class MetricsRecordBenchmarks
{
    private GatewayMetrics _metrics = null!;
    private Deployment _deployment = null!;
    private readonly Caller _caller = new(CallerKind.Master, masterToken: new string('a', 64));
    private long _i;

    [GlobalSetup]
    public void Setup()
    {
        var deployments = Enumerable.Range(0, 8).Select(i => new Deployment
        {
            Index = i,
            ModelName = $"group-{i % 3}",
            Provider = "openai",
            ModelId = $"gpt-{i}",
            Id = $"dep-{i}",
        }).ToImmutableArray();
        _metrics = new GatewayMetrics();
        _metrics.Load(new GatewayConfig { Deployments = deployments, General = new GeneralSettings { MasterKey = "sk-bench" } });
        _deployment = deployments[5];
    }

    [Benchmark]
    public void RecordOneRequest()
    {
        var i = ++_i;
        var series = _metrics.For(_deployment)!;
        _metrics.RequestStarted();
        series.Record(_caller, new RequestSample((i & 15) == 0 ? 502 : 200, 120, 40 + (i & 7), 1_500_000,
            TotalTicks: 40_000 + (i & 1023), UpstreamTicks: 38_000, FirstByteTicks: (i & 1) == 0 ? 5_000 : -1));
        _metrics.RequestEnded();
    }
}
