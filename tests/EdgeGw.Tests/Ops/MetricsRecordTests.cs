using System.Collections.Immutable;
using EdgeGw.Config;
using EdgeGw.Observability;

namespace EdgeGw.Tests.Ops;

public sealed class MetricsRecordTests
{
    private static (GatewayMetrics Metrics, ImmutableArray<Deployment> Deployments) Load(params string[] groups)
    {
        var deployments = groups.Select((g, i) => new Deployment { Index = i, ModelName = g, Provider = "mock", ModelId = g, Id = $"id-{i}" }).ToImmutableArray();
        var metrics = new GatewayMetrics();
        metrics.Load(new GatewayConfig { Deployments = deployments, General = new GeneralSettings { MasterKey = "sk-x" } });
        return (metrics, deployments);
    }

    [Fact]
    public void RecordingRequests_AllocatesNothing()
    {
        var (metrics, deployments) = Load("a", "b");
        var sample = new RequestSample(StatusClass.Success, 10, 5, 1000, 50_000, 40_000, 1_000);
        void Run(int times)
        {
            for (var i = 0; i < times; i++)
            {
                metrics.RequestStarted();
                metrics.For(deployments[i & 1])!.Record(sample with { Status = (i & 7) == 0 ? StatusClass.ServerError : StatusClass.Success });
                metrics.RequestEnded();
            }
        }

        Run(10_000); // warm up every path: JIT tiers and on-stack replacement allocate on their own
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(10_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(10_000, metrics.For(deployments[1])!.Requests(StatusClass.Success));
        Assert.Equal(2_500, metrics.For(deployments[0])!.Requests(StatusClass.ServerError));
        Assert.Equal(7_500, metrics.For(deployments[0])!.Requests(StatusClass.Success));
        Assert.Equal(0, metrics.InFlightRequests);
    }

    [Fact]
    public void Reload_KeepsCountsOfUnchangedDeploymentsAndFindsOldOnes()
    {
        var (metrics, old) = Load("a");
        metrics.For(old[0])!.Record(new RequestSample(StatusClass.Success, 1, 1, 0, 1, 1, -1));

        var next = ImmutableArray.Create(old[0] with { Weight = 2 }, new Deployment { Index = 1, ModelName = "b", Provider = "mock", ModelId = "b", Id = "id-1" });
        metrics.Load(new GatewayConfig { Deployments = next, General = new GeneralSettings { MasterKey = "sk-x" } });

        Assert.Same(metrics.For(old[0]), metrics.For(next[0])); // an in-flight request on the old snapshot counts in the same series
        Assert.Equal(1, metrics.For(next[0])!.Requests(StatusClass.Success));
        Assert.Equal(2, metrics.Series.Count());
    }

    [Fact]
    public void Histogram_PutsValuesInTheirBucketsAndExposesCumulativeCounts()
    {
        var (metrics, deployments) = Load("a");
        var series = metrics.For(deployments[0])!;
        var tick = System.Diagnostics.Stopwatch.Frequency;
        foreach (var seconds in new[] { 0.001, 0.3, 0.3, 1000.0 })
            series.Record(new RequestSample(StatusClass.Success, 0, 0, 0, (long)(seconds * tick), -1, -1));

        var text = MetricsExposition.Write(metrics);
        Assert.Contains("litellm_request_total_latency_metric_bucket{requested_model=\"a\",model_id=\"id-0\",api_provider=\"mock\",le=\"0.005\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("le=\"0.25\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("litellm_request_total_latency_metric_bucket{requested_model=\"a\",model_id=\"id-0\",api_provider=\"mock\",le=\"0.5\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("litellm_request_total_latency_metric_bucket{requested_model=\"a\",model_id=\"id-0\",api_provider=\"mock\",le=\"300\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("litellm_request_total_latency_metric_bucket{requested_model=\"a\",model_id=\"id-0\",api_provider=\"mock\",le=\"+Inf\"} 4\n", text, StringComparison.Ordinal);
        Assert.Contains("litellm_request_total_latency_metric_count{requested_model=\"a\",model_id=\"id-0\",api_provider=\"mock\"} 4\n", text, StringComparison.Ordinal);
    }
}
