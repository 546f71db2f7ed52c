using System.Collections.Immutable;
using EdgeGw.Auth;
using EdgeGw.Config;
using EdgeGw.Observability;

namespace EdgeGw.Tests.Ops;

public sealed class MetricsRecordTests
{
    private static readonly Caller Master = new(CallerKind.Master, masterToken: new string('a', 64));

    private static (GatewayMetrics Metrics, ImmutableArray<Deployment> Deployments) Load(params string[] groups)
    {
        var deployments = groups.Select((g, i) => new Deployment { Index = i, ModelName = g, Provider = "mock", ModelId = g, Id = $"id-{i}" }).ToImmutableArray();
        var metrics = new GatewayMetrics();
        metrics.Load(new GatewayConfig { Deployments = deployments, General = new GeneralSettings { MasterKey = "sk-x" } });
        return (metrics, deployments);
    }

    private static RequestSample Sample(int status = 200, long seconds = 0) =>
        new(status, 10, 5, 1000, seconds * System.Diagnostics.Stopwatch.Frequency + 50_000, 40_000, 1_000);

    [Fact]
    public void RecordingRequests_AllocatesNothing()
    {
        var (metrics, deployments) = Load("a", "b");
        var sample = Sample();
        void Run(int times)
        {
            for (var i = 0; i < times; i++)
            {
                metrics.RequestStarted();
                metrics.For(deployments[i & 1])!.Record(Master, sample with { Status = (i & 7) == 0 ? 502 : 200 });
                metrics.RequestEnded();
            }
        }

        Run(10_000); // warm up every path: JIT tiers and on-stack replacement allocate on their own
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(10_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        var a = Assert.Single(metrics.For(deployments[0])!.Callers);
        Assert.Equal(10_000, Assert.Single(metrics.For(deployments[1])!.Callers).Requests(StatusLabels.SlotOf(200)));
        Assert.Equal(2_500, a.Requests(StatusLabels.SlotOf(502)));
        Assert.Equal(7_500, a.Requests(StatusLabels.SlotOf(200)));
        Assert.Equal(0, metrics.InFlightRequests);
    }

    [Fact]
    public void Reload_KeepsCountsOfUnchangedDeploymentsAndFindsOldOnes()
    {
        var (metrics, old) = Load("a");
        metrics.For(old[0])!.Record(Master, Sample());

        var next = ImmutableArray.Create(old[0] with { Weight = 2 }, new Deployment { Index = 1, ModelName = "b", Provider = "mock", ModelId = "b", Id = "id-1" });
        metrics.Load(new GatewayConfig { Deployments = next, General = new GeneralSettings { MasterKey = "sk-x" } });

        Assert.Same(metrics.For(old[0]), metrics.For(next[0])); // an in-flight request on the old snapshot counts in the same series
        Assert.Equal(1, Assert.Single(metrics.For(next[0])!.Callers).Requests(0));
        Assert.Equal(2, metrics.Series.Count());
    }

    [Fact]
    public void Histogram_UsesLiteLLMsBucketsAndExposesCumulativeCounts()
    {
        var (metrics, deployments) = Load("a");
        var series = metrics.For(deployments[0])!;
        var tick = System.Diagnostics.Stopwatch.Frequency;
        foreach (var seconds in new[] { 0.001, 0.3, 0.3, 1000.0 })
            series.Record(Master, new RequestSample(200, 0, 0, 0, (long)(seconds * tick), -1, -1));

        var text = MetricsExposition.Write(metrics);
        const string labels = "hashed_api_key=\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",api_key_alias=\"None\",team=\"None\",team_alias=\"None\",model=\"a\",requested_model=\"a\",user=\"None\",model_id=\"id-0\"";
        Assert.Contains($"litellm_request_total_latency_metric_bucket{{{labels},le=\"0.005\"}} 1.0\n", text, StringComparison.Ordinal);
        Assert.Contains($"litellm_request_total_latency_metric_bucket{{{labels},le=\"0.1\"}} 1.0\n", text, StringComparison.Ordinal);
        Assert.Contains($"litellm_request_total_latency_metric_bucket{{{labels},le=\"0.5\"}} 3.0\n", text, StringComparison.Ordinal);
        Assert.Contains($"litellm_request_total_latency_metric_bucket{{{labels},le=\"300.0\"}} 3.0\n", text, StringComparison.Ordinal);
        Assert.Contains($"litellm_request_total_latency_metric_bucket{{{labels},le=\"+Inf\"}} 4.0\n", text, StringComparison.Ordinal);
        Assert.Contains($"litellm_request_total_latency_metric_count{{{labels}}} 4.0\n", text, StringComparison.Ordinal);
        Assert.Contains("le=\"0.00625\"", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3, "3.0")]
    [InlineData(0.042, "0.042")]
    [InlineData(6.5e-05, "6.5e-05")]
    [InlineData(0.00625, "0.00625")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    public void Numbers_PrintAsPrometheusClientPrintsThem(double value, string expected) =>
        Assert.Equal(expected, MetricsExposition.Number(value));
}
