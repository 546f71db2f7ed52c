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
/// OneRequestsSpans is the live path (forward_traceparent on); the Deferred* pair is the default one: what
/// the request does (DeferredTrace: ticks and references into a pooled record, one enqueue) and what the
/// worker does (build the same Activities with explicit times). Compare ratios within one run: the box is shared.
/// </summary>
public class OtelSpanBenchmarks
{
    private static readonly byte[] Answer = """{"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}"""u8.ToArray();
    private TracerProvider? _provider;
    private readonly DefaultHttpContext _http = new();
    private readonly Deployment _deployment = new() { Index = 0, ModelName = "smart", Provider = "openai", ModelId = "gpt-4o", Id = "dep-1" };
    private readonly DeferredTrace _record = new();
    private readonly DeferredTrace _built = new();
    private readonly Caller _caller = new(CallerKind.Master, masterToken: new string('a', 64));

    [Params(false, true)]
    public bool OtelOn { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _http.Request.Method = "POST";
        if (OtelOn)
            _provider = Sdk.CreateTracerProviderBuilder().AddSource(GatewayActivity.SourceName).AddProcessor(new Discard()).Build();
        Fill(_built); // the record the worker benchmark builds from (never enqueued)
        _built.ResponseStatus = 200;
        _built.Departure = Stopwatch.GetTimestamp();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        DeferredSpans.Drain();
        _provider?.Dispose();
    }

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
        _record.Reset(); // the worker's, after building: here the ring overwrites its oldest (the same record)
        Fill(_record);
        _record.Finish(200);
    }

    private void Fill(DeferredTrace trace)
    {
        trace.Begin(_http.Request, "/v1/chat/completions");
        trace.Close(trace.OpenStage("auth"), null);
        trace.Close(trace.OpenStage("limits"), null);
        trace.StartAttempt("smart", _deployment, _caller);
        trace.FirstToken();
        trace.FromOpenAi(Answer, withModel: true);
        var spend = trace.OpenStage("spend");
        trace.Cost(spend, 1_500);
        trace.Close(spend, null);
        trace.EndAttempt(200, 12, 3, 1_500, stream: false);
    }

    [Benchmark]
    public void DeferredBuildOnWorker()
    {
        if (GatewayActivity.Source.HasListeners())
            DeferredSpanBuilder.Build(GatewayActivity.Source, _built);
        Activity.Current = null;
    }

    private sealed class Discard : BaseProcessor<Activity>;
}
