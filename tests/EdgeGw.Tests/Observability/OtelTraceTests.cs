using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Observability;

/// <summary>
/// callbacks: ["otel"] exporting OTLP/HTTP protobuf to a fake collector on loopback. Alone in its
/// collection: the SDK listens to the process-wide ActivitySource, which would make other tests' requests allocate spans.
/// </summary>
[Collection(nameof(OtelTraceTests))]
public sealed class OtelTraceTests
{
    internal const string ClientTraceId = "0af7651916cd43dd8448eb211c80319c";
    internal const string ClientSpanId = "b7ad6b7169203331";

    internal static string OtelYaml(FakeUpstream collector, bool forwardTraceparent) => $"""
        litellm_settings:
          callbacks: ["otel"]
          forward_traceparent_to_llm_provider: {forwardTraceparent}
        environment_variables:
          OTEL_EXPORTER: otlp_http
          OTEL_ENDPOINT: {collector.Url}
          OTEL_HEADERS: "api-key=collector-key-1,authorization=Bearer%20collector-token"
          OTEL_SERVICE_NAME: edgegw-test
        """;

    internal static async Task<List<OtlpSpan>> SpansAfterAsync(FakeUpstream collector, Func<TestGateway, Task> send, string modelList = "[]",
        bool forwardTraceparent = false)
    {
        var gateway = await TestGateway.StartAsync(modelList, OtelYaml(collector, forwardTraceparent));
        try
        {
            await send(gateway);
        }
        finally
        {
            // Stopping flushes the batch processor, so the export has arrived once this returns.
            await gateway.DisposeAsync();
        }
        return [.. collector.Requests.SelectMany(r => OtlpTraces.Decode(r.Body))];
    }

    [Fact]
    public async Task ClientTraceparent_RequestSpanContinuesItsTrace()
    {
        await using var collector = await FakeUpstream.StartAsync();
        collector.RespondJson("{}");
        var spans = await SpansAfterAsync(collector, async gateway =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/health/liveliness");
            request.Headers.Add("traceparent", $"00-{ClientTraceId}-{ClientSpanId}-01");
            (await gateway.Client.SendAsync(request)).EnsureSuccessStatusCode();
        });

        var span = Assert.Single(spans, s => s.TraceId == ClientTraceId);
        Assert.Equal("GET /health/liveliness", span.Name);
        Assert.Equal(ClientSpanId, span.ParentSpanId);
        Assert.Equal(2, span.Kind); // SPAN_KIND_SERVER
        Assert.Equal("EdgeGw", span.Scope);
        Assert.Equal(200L, span.Attributes["http.response.status_code"]);
        Assert.Equal("edgegw-test", span.Resource["service.name"]);
    }

    [Fact]
    public async Task OtlpHttpEndpointWithoutPath_PostsProtobufToV1TracesWithDecodedHeaders()
    {
        await using var collector = await FakeUpstream.StartAsync();
        collector.RespondJson("{}");
        var spans = await SpansAfterAsync(collector, async gateway =>
            (await gateway.Client.GetAsync("/health/readiness")).EnsureSuccessStatusCode());

        var export = collector.Requests.First();
        Assert.Equal("/v1/traces", export.PathAndQuery);
        Assert.Equal("application/x-protobuf", export.Headers["content-type"]);
        Assert.Equal("collector-key-1", export.Headers["api-key"]);
        Assert.Equal("Bearer collector-token", export.Headers["authorization"]); // LiteLLM's docs percent-encode the space
        Assert.Contains(spans, s => s.Name == "GET /health/readiness");
    }

    internal const string ChatAnswer = """{"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}""";

    private static async Task<List<OtlpSpan>> ChatSpansAsync(FakeUpstream collector, FakeUpstream upstream, bool forwardTraceparent = false)
    {
        upstream.RespondJson(ChatAnswer);
        return await SpansAfterAsync(collector, async gateway =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent("""{"model":"smart","messages":[{"role":"user","content":"hello"}]}""", System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("traceparent", $"00-{ClientTraceId}-{ClientSpanId}-01");
            (await gateway.Client.SendAsync(request)).EnsureSuccessStatusCode();
        }, OpenAiDeploymentYaml.Of("smart", upstream), forwardTraceparent);
    }

    [Fact]
    public async Task ChatCompletion_AttemptSpanCarriesGenAiAttributes()
    {
        await using var collector = await FakeUpstream.StartAsync();
        collector.RespondJson("{}");
        await using var upstream = await FakeUpstream.StartAsync();
        var spans = await ChatSpansAsync(collector, upstream);

        var root = Assert.Single(spans, s => s.Name == "POST /v1/chat/completions");
        var attempt = Assert.Single(spans, s => s.Name == "chat gpt-4o");
        Assert.Equal(ClientTraceId, attempt.TraceId);
        Assert.Equal(root.SpanId, attempt.ParentSpanId);
        Assert.Equal(3, attempt.Kind); // SPAN_KIND_CLIENT
        Assert.Equal("openai", attempt.Attributes["gen_ai.system"]);
        Assert.Equal("gpt-4o", attempt.Attributes["gen_ai.request.model"]);
        Assert.Equal(12L, attempt.Attributes["gen_ai.usage.input_tokens"]);
        Assert.Equal(3L, attempt.Attributes["gen_ai.usage.output_tokens"]);
        Assert.Equal("smart", root.Attributes["gen_ai.request.model"]);
        Assert.False(upstream.LastRequest.Headers.ContainsKey("traceparent"));
    }

    [Fact]
    public async Task RetriedCall_EachAttemptIsItsOwnSpanAndTheFailedOneIsError()
    {
        await using var collector = await FakeUpstream.StartAsync();
        collector.RespondJson("{}");
        await using var upstream = await FakeUpstream.StartAsync();
        var calls = 0;
        upstream.Handle(async (c, _) =>
        {
            var first = Interlocked.Increment(ref calls) == 1;
            c.Response.StatusCode = first ? 500 : 200;
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync(first ? """{"error":{"message":"boom","type":"server_error","param":null,"code":null}}""" : ChatAnswer);
        });
        var spans = await SpansAfterAsync(collector, async gateway =>
            (await gateway.PostJsonAsync("/v1/chat/completions", """{"model":"smart","messages":[{"role":"user","content":"hi"}],"num_retries":1}""")).EnsureSuccessStatusCode(),
            OpenAiDeploymentYaml.Of("smart", upstream));

        var root = Assert.Single(spans, s => s.Name == "POST /v1/chat/completions");
        var attempts = spans.Where(s => s.Name == "chat gpt-4o").ToList();
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, a => Assert.Equal(root.SpanId, a.ParentSpanId));
        Assert.Single(attempts, a => a.Attributes.ContainsKey("gen_ai.usage.output_tokens"));
        var failed = Assert.Single(attempts, a => a.StatusCode == 2); // STATUS_CODE_ERROR
        Assert.Equal("retried on another attempt", failed.StatusMessage);
        Assert.False(failed.Attributes.ContainsKey("gen_ai.usage.output_tokens"));
    }

    [Fact]
    public async Task ForwardTraceparentToLlmProvider_UpstreamCallIsChildOfAttemptSpan()
    {
        await using var collector = await FakeUpstream.StartAsync();
        collector.RespondJson("{}");
        await using var upstream = await FakeUpstream.StartAsync();
        var spans = await ChatSpansAsync(collector, upstream, forwardTraceparent: true);

        var attempt = Assert.Single(spans, s => s.Name == "chat gpt-4o");
        Assert.Equal($"00-{ClientTraceId}-{attempt.SpanId}-01", upstream.LastRequest.Headers["traceparent"]);
    }

    [Fact]
    public async Task OtlpGrpcExporter_ExportsToTraceServiceOverH2c()
    {
        await using var sink = await OtlpGrpcSink.StartAsync();
        var gateway = await TestGateway.StartAsync("[]", $"""
            litellm_settings:
              callbacks: ["otel"]
            environment_variables:
              OTEL_EXPORTER: otlp_grpc
              OTEL_ENDPOINT: {sink.BaseAddress}
            """);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/health/liveliness");
            request.Headers.Add("traceparent", $"00-{ClientTraceId}-{ClientSpanId}-01");
            (await gateway.Client.SendAsync(request)).EnsureSuccessStatusCode();
        }
        finally
        {
            await gateway.DisposeAsync();
        }

        var export = sink.Exports.First();
        Assert.Equal("/opentelemetry.proto.collector.trace.v1.TraceService/Export", export.Path);
        Assert.StartsWith("application/grpc", export.ContentType);
        var span = Assert.Single(sink.Exports.SelectMany(e => OtlpTraces.Decode(e.Message)), s => s.TraceId == ClientTraceId);
        Assert.Equal("GET /health/liveliness", span.Name);
    }

    [Fact]
    public async Task NoClientTraceparent_RequestStartsItsOwnTrace()
    {
        await using var collector = await FakeUpstream.StartAsync();
        collector.RespondJson("{}");
        var spans = await SpansAfterAsync(collector, async gateway =>
            (await gateway.Client.GetAsync("/health/liveliness")).EnsureSuccessStatusCode());

        var span = Assert.Single(spans, s => s.Name == "GET /health/liveliness");
        Assert.Equal(32, span.TraceId.Length);
        Assert.NotEqual(ClientTraceId, span.TraceId);
        Assert.Equal("", span.ParentSpanId);
    }
}

[CollectionDefinition(nameof(OtelTraceTests), DisableParallelization = true)]
public sealed class OtelTraceCollection;
