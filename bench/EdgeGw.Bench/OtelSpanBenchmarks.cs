using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using EdgeGw.Auth;
using EdgeGw.Config;
using EdgeGw.Observability.Otel;
using Microsoft.AspNetCore.Http;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace EdgeGw.Bench;

/// <summary>
/// The span work of one chat request with the otel callback on (request, auth, limits, attempt with its
/// GenAI attributes and the answer's model/finish reason, spend) and off. Export is not measured: it runs
/// on the SDK's thread; here a processor that drops every span stands in for the batch queue.
/// The Deferred* pair is the prototype of moving span construction off the request path: what the
/// request would do (record ticks/ids into a reused record, one enqueue) and what the worker would do
/// (build the same Activities with explicit times). Compare ratios within one run: the box is shared.
/// </summary>
public class OtelSpanBenchmarks
{
    private static readonly byte[] Answer = """{"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}"""u8.ToArray();
    private TracerProvider? _provider;
    private readonly DefaultHttpContext _http = new();
    private readonly Deployment _deployment = new() { Index = 0, ModelName = "smart", Provider = "openai", ModelId = "gpt-4o", Id = "dep-1" };
    private readonly SpanRecord _record = new();
    private readonly SpanRecordRing _ring = new(2048);
    private readonly Caller _caller = new(CallerKind.Master, masterToken: new string('a', 64));

    [Params(false, true)]
    public bool OtelOn { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _http.Request.Method = "POST";
        if (OtelOn)
            _provider = Sdk.CreateTracerProviderBuilder().AddSource(GatewayActivity.SourceName).AddProcessor(new Discard()).Build();
        DeferredRecordAndEnqueue(); // the record the worker benchmark builds from
    }

    [GlobalCleanup]
    public void Cleanup() => _provider?.Dispose();

    [Benchmark(Baseline = true)]
    public void OneRequestsSpans()
    {
        var root = RequestSpan.Start(_http.Request, "/v1/chat/completions");
        StageSpan.Start(root, "auth").Dispose();
        StageSpan.Start(root, "limits").Dispose();
        var attempt = root is null ? null : GenAiSpans.StartAttempt(root, null, "smart", _deployment, _caller);
        GenAiSpans.FirstToken(attempt);
        GenAiAnswer.FromOpenAi(Answer);
        var spend = StageSpan.Start(root, "spend");
        GenAiSpans.Cost(spend.Span, 1_500);
        spend.Dispose();
        if (root is not null)
            GenAiSpans.End(root, attempt, 200, 12, 3, 1_500, stream: false);
        RequestSpan.End(root, _http.Response);
        Activity.Current = null;
    }

    [Benchmark]
    public void DeferredRecordAndEnqueue()
    {
        if (!GatewayActivity.Source.HasListeners())
            return;
        var r = _record;
        r.Reset();
        r.Start = Stopwatch.GetTimestamp();
        r.WallStart = DateTime.UtcNow;
        Random.Shared.NextBytes(r.TraceId);
        r.Method = _http.Request.Method;
        r.Path = "/v1/chat/completions";
        r.AuthStart = Stopwatch.GetTimestamp();
        r.AuthEnd = Stopwatch.GetTimestamp();
        r.LimitsStart = Stopwatch.GetTimestamp();
        r.LimitsEnd = Stopwatch.GetTimestamp();
        r.AttemptStart = Stopwatch.GetTimestamp();
        r.ModelGroup = "smart";
        r.Provider = _deployment.Provider;
        r.ModelId = _deployment.ModelId;
        r.DeploymentId = _deployment.Id;
        r.FirstToken = Stopwatch.GetTimestamp();
        r.ReadAnswer(Answer);
        r.AttemptEnd = Stopwatch.GetTimestamp();
        r.SpendStart = Stopwatch.GetTimestamp();
        r.CostNanos = 1_500;
        r.SpendEnd = Stopwatch.GetTimestamp();
        r.Status = 200;
        r.PromptTokens = 12;
        r.CompletionTokens = 3;
        r.End = Stopwatch.GetTimestamp();
        _ring.Enqueue(r);
        _ring.Dequeue(); // keeps the ring from filling; the worker's dequeue is not the request's cost
    }

    [Benchmark]
    public void DeferredBuildOnWorker()
    {
        if (GatewayActivity.Source.HasListeners())
            SpanBuilder.Build(GatewayActivity.Source, _record);
        Activity.Current = null;
    }

    private sealed class Discard : BaseProcessor<Activity>;
}
