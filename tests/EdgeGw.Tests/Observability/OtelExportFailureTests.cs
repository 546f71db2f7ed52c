using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Observability;

/// <summary>A collector that is down or a full export queue: counted in /metrics, never felt by requests.</summary>
[Collection(nameof(OtelTraceTests))]
public sealed class OtelExportFailureTests
{
    private static Task<TestGateway> StartAsync(FakeUpstream upstream, string collectorUrl, string batchVariables) =>
        TestGateway.StartAsync(OpenAiDeploymentYaml.Of("smart", upstream), $"""
            litellm_settings:
              callbacks: ["otel"]
            environment_variables:
              OTEL_EXPORTER: otlp_http
              OTEL_ENDPOINT: {collectorUrl}
              OTEL_EXPORTER_OTLP_TIMEOUT: "500"
            {batchVariables}
            """);

    private static long Sample(string metrics, string name) =>
        long.Parse(metrics.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal))[(name.Length + 1)..].Split('.')[0],
            System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task CollectorDown_ExportFailuresCountedAndRequestsAnswered()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(OtelTraceTests.ChatAnswer);
        var down = await FakeUpstream.StartAsync();
        var url = down.Url;
        await down.DisposeAsync(); // nothing listens there any more
        await using var gateway = await StartAsync(upstream, url, "  OTEL_BSP_SCHEDULE_DELAY: \"50\"");

        var response = await gateway.PostJsonAsync("/v1/chat/completions", """{"model":"smart","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"content\":\"hi\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var failures = 0L;
        // The export runs on the SDK's thread every 50 ms; each try gives up after 500 ms. Bounded wait.
        for (var i = 0; i < 200 && failures == 0; i++)
        {
            failures = Sample(await gateway.Client.GetStringAsync("/metrics"), "edgegw_otel_export_failures_total");
            if (failures == 0)
                await Task.Delay(100);
        }
        Assert.True(failures >= 1, "no export failure counted");
        var metrics = await gateway.Client.GetStringAsync("/metrics");
        Assert.True(Sample(metrics, "edgegw_otel_spans_failed_total") >= 1);
        Assert.Equal(0, Sample(metrics, "edgegw_otel_spans_exported_total"));
    }

    [Fact]
    public async Task FullExportQueue_DroppedSpansCountedAndRequestsAnswered()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(OtelTraceTests.ChatAnswer);
        await using var collector = await FakeUpstream.StartAsync();
        collector.RespondJson("{}");
        // Room for one span, exported only at shutdown: every other span of the request finds the queue full.
        await using var gateway = await StartAsync(upstream, collector.Url, "  OTEL_BSP_MAX_QUEUE_SIZE: \"1\"\n  OTEL_BSP_SCHEDULE_DELAY: \"600000\"");

        (await gateway.PostJsonAsync("/v1/chat/completions", """{"model":"smart","messages":[{"role":"user","content":"hi"}]}""")).EnsureSuccessStatusCode();

        // auth, limits, spend and the attempt end before the answer is sent: one queued, three dropped at least.
        Assert.True(Sample(await gateway.Client.GetStringAsync("/metrics"), "edgegw_otel_spans_dropped_total") >= 3);
    }
}
