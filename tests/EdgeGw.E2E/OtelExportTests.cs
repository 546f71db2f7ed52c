using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.E2E;

/// <summary>callbacks: ["otel"] in the native binary: OTLP/gRPC to an h2c collector, and the console exporter.</summary>
public sealed class OtelExportTests
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

    private static string Config(FakeUpstream upstream, string environment) => $"""
        model_list:
          - model_name: smart
            litellm_params:
              model: openai/gpt-4o
              api_base: {upstream.Url}/v1
              api_key: sk-e2e-provider-key
        general_settings:
          master_key: {GatewayProcess.MasterKey}
        litellm_settings:
          callbacks: ["otel"]
        environment_variables:
        {environment}
        """;

    private static async Task<FakeUpstream> UpstreamAsync()
    {
        var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson("""{"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}""");
        return upstream;
    }

    private static async Task ChatAsync(GatewayProcess gateway)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"smart","messages":[{"role":"user","content":"hello"}]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("traceparent", $"00-{TraceId}-00f067aa0ba902b7-01");
        (await gateway.Client.SendAsync(request)).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task OtlpGrpc_NativeBinaryExportsRequestTraceToTraceService()
    {
        await using var upstream = await UpstreamAsync();
        await using var sink = await OtlpGrpcSink.StartAsync();
        await using (var gateway = await GatewayProcess.StartAsync(Config(upstream, $"""
              OTEL_EXPORTER: otlp_grpc
              OTEL_ENDPOINT: {sink.BaseAddress}
              OTEL_SERVICE_NAME: edgegw-e2e
            """)))
        {
            await ChatAsync(gateway);
            gateway.Signal(15); // graceful stop flushes the batch processor
            Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        var export = sink.Exports.First();
        Assert.Equal("/opentelemetry.proto.collector.trace.v1.TraceService/Export", export.Path);
        var spans = sink.Exports.SelectMany(e => OtlpTraces.Decode(e.Message)).Where(s => s.TraceId == TraceId).ToList();
        var root = Assert.Single(spans, s => s.Name == "POST /v1/chat/completions");
        Assert.Equal("edgegw-e2e", root.Resource["service.name"]);
        foreach (var stage in new[] { "auth", "limits", "chat gpt-4o", "spend" })
            Assert.Equal(root.SpanId, Assert.Single(spans, s => s.Name == stage).ParentSpanId);
        var attempt = spans.Single(s => s.Name == "chat gpt-4o").Attributes;
        Assert.Equal("gpt-4o-2024-08-06", attempt["gen_ai.response.model"]);
        Assert.Equal(new object[] { "stop" }, attempt["gen_ai.response.finish_reasons"]);
        Assert.All(sink.Exports, e => Assert.DoesNotContain("sk-e2e", System.Text.Encoding.UTF8.GetString(e.Message), StringComparison.Ordinal));
    }

    [Fact]
    public async Task ConsoleExporter_NativeBinaryPrintsOneLinePerSpan()
    {
        await using var upstream = await UpstreamAsync();
        await using var gateway = await GatewayProcess.StartAsync(Config(upstream, "  OTEL_EXPORTER: console"));

        await ChatAsync(gateway);

        // Printed as each span ends, on the request's own thread: bounded wait for the root span's line.
        string? line = null;
        for (var i = 0; i < 100 && line is null; i++)
        {
            line = gateway.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith("otel span POST /v1/chat/completions ", StringComparison.Ordinal));
            if (line is null)
                await Task.Delay(100);
        }
        Assert.NotNull(line);
        Assert.Contains($"trace={TraceId}", line, StringComparison.Ordinal);
        Assert.Contains("http.response.status_code=200", line, StringComparison.Ordinal);
        Assert.Contains(gateway.Stdout.Split('\n'), l => l.StartsWith("otel span chat gpt-4o ", StringComparison.Ordinal) && l.Contains("gen_ai.response.finish_reasons=stop", StringComparison.Ordinal));
    }
}
