using BenchmarkDotNet.Attributes;
using EdgeGw.Config;
using EdgeGw.Limits;
using EdgeGw.Providers;
using EdgeGw.Providers.Mock;
using EdgeGw.Routing;

namespace EdgeGw.Bench;

/// <summary>One pick (strategy + deployment rpm/tpm admission + settlement) in a group of eight deployments.</summary>
public class SelectionBenchmarks
{
    private ModelGroup _group = null!;
    private long _now;

    // The strategy's config name (RoutingStrategy is internal, so it cannot be a public parameter type).
    [Params("simple-shuffle", "least-busy", "latency-based-routing", "usage-based-routing-v2", "cost-based-routing")]
    public string Strategy { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _now = DateTime.UtcNow.Ticks;
        var limits = new LimitRegistry();
        var endpoints = new ChatEndpoint[8];
        for (var i = 0; i < endpoints.Length; i++)
        {
            var deployment = new Deployment
            {
                Index = i, ModelName = "g", Provider = "mock", ModelId = "m", Id = $"d{i}", Order = i < 6 ? 1 : 2,
                Rpm = 1_000_000_000, Tpm = 1_000_000_000, Weight = i + 1, InputCostPerToken = 0.000001m * (i + 1),
            };
            var endpoint = new MockChatEndpoint(deployment, TimeProvider.System) { Limits = limits.ForDeployment(deployment, _now) };
            endpoint.Health.RecordLatency(TimeSpan.FromMilliseconds(100 + 10 * i));
            endpoints[i] = endpoint;
        }
        var settings = ConfigLoader.Parse($"model_list: []\nrouter_settings: {{ routing_strategy: {Strategy} }}\ngeneral_settings: {{ master_key: sk-b }}\n", _ => null).Router;
        _group = new ModelGroup("g", endpoints, settings with { LowestLatencyBuffer = 0.1 });
    }

    [Benchmark]
    public int PickAndSettle()
    {
        var targets = new LimitTargets();
        _group.TryPickAdmitted(ref targets, 0, 100, _now, default, out var index, out var admission, out _);
        admission.Complete(100, _now);
        return index;
    }
}

/// <summary>The per-request scan for gateway-only body keys on a body without them (the common case).</summary>
public class RoutingOptionsBenchmarks
{
    private readonly byte[] _body = System.Text.Encoding.UTF8.GetBytes(
        "{\"model\":\"gpt-4o\",\"messages\":[" + string.Join(",", Enumerable.Repeat("{\"role\":\"user\",\"content\":\"Summarise the quarterly numbers for the northern region please.\"}", 40)) + "],\"stream\":true}");

    [Benchmark]
    public bool ScanBodyWithoutKeys() => RequestRoutingOptions.Extract(_body, anthropicMetadata: false, out _) is null;
}
