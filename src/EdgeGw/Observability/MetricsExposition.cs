using System.Globalization;
using System.Text;

namespace EdgeGw.Observability;

/// <summary>
/// Prometheus text exposition (format 0.0.4). LiteLLM's metric names are kept so its dashboards
/// work; counters carry the <c>_total</c> suffix exactly as LiteLLM's prometheus_client exposes them.
/// Allocates per scrape, never per request.
/// </summary>
internal static class MetricsExposition
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Write(GatewayMetrics metrics)
    {
        var series = metrics.Series.ToArray();
        var text = new StringBuilder(4096 + series.Length * 4096);

        Header(text, "litellm_proxy_total_requests_metric_total", "counter", "Model requests answered, by model group, deployment and status class.");
        foreach (var s in series)
        {
            for (var c = StatusClass.Success; c <= StatusClass.ServerError; c++)
                Sample(text, "litellm_proxy_total_requests_metric_total", $"{s.Labels},status_code=\"{DeploymentSeries.StatusLabels[(int)c]}\"", s.Requests(c));
        }
        Header(text, "litellm_proxy_failed_requests_metric_total", "counter", "Model requests that ended with a 4xx or 5xx.");
        foreach (var s in series)
            Sample(text, "litellm_proxy_failed_requests_metric_total", s.Labels, s.Requests(StatusClass.ClientError) + s.Requests(StatusClass.ServerError));
        Counter(text, series, "litellm_input_tokens_metric_total", "Prompt tokens.", s => s.InputTokens);
        Counter(text, series, "litellm_output_tokens_metric_total", "Completion tokens.", s => s.OutputTokens);
        Counter(text, series, "litellm_total_tokens_metric_total", "Prompt plus completion tokens.", s => s.InputTokens + s.OutputTokens);
        Header(text, "litellm_spend_metric_total", "counter", "Spend in USD.");
        foreach (var s in series)
            Sample(text, "litellm_spend_metric_total", s.Labels, (double)Spend.Money.ToDollars(s.SpendNanos));

        Histograms(text, series, "litellm_request_total_latency_metric", "Seconds from the request's arrival to the end of the answer.", s => s.TotalLatency);
        Histograms(text, series, "litellm_llm_api_latency_metric", "Seconds spent in the provider call.", s => s.LlmLatency);
        Histograms(text, series, "litellm_llm_api_time_to_first_token_metric", "Seconds from the provider call to the first byte streamed to the client.", s => s.TimeToFirstToken);
        Histograms(text, series, "edgegw_gateway_overhead_seconds", "Seconds the gateway itself added (total minus provider call).", s => s.Overhead);

        Header(text, "litellm_deployment_state", "gauge", "0 healthy, 1 partial outage, 2 complete outage (the last answer was a 5xx).");
        foreach (var s in series)
            Sample(text, "litellm_deployment_state", s.DeploymentLabels, s.State);

        Gauge(text, "edgegw_in_flight_requests", "Model requests being answered.", metrics.InFlightRequests);
        Gauge(text, "edgegw_in_flight_streams", "Streamed answers being sent.", metrics.InFlightStreams);
        Header(text, "edgegw_rate_limit_refusals_total", "counter", "Requests refused with 429 before reaching a provider.");
        Sample(text, "edgegw_rate_limit_refusals_total", null, metrics.RateLimitRefusals);
        Header(text, "edgegw_budget_refusals_total", "counter", "Requests refused because a budget was exceeded.");
        Sample(text, "edgegw_budget_refusals_total", null, metrics.BudgetRefusals);

        Gauge(text, "edgegw_process_working_set_bytes", "Process working set.", Environment.WorkingSet);
        Gauge(text, "edgegw_gc_heap_bytes", "Managed heap size after the last GC.", GC.GetGCMemoryInfo().HeapSizeBytes);
        Gauge(text, "edgegw_gc_allocated_bytes_total", "Bytes allocated on the managed heap since start.", GC.GetTotalAllocatedBytes());
        Header(text, "edgegw_gc_pause_seconds_total", "counter", "Time the process was paused for garbage collection.");
        Sample(text, "edgegw_gc_pause_seconds_total", null, GC.GetTotalPauseDuration().TotalSeconds);
        Header(text, "edgegw_gc_collections_total", "counter", "Garbage collections by generation.");
        for (var g = 0; g <= GC.MaxGeneration; g++)
            Sample(text, "edgegw_gc_collections_total", $"generation=\"{g}\"", GC.CollectionCount(g));
        return text.ToString();
    }

    private static void Counter(StringBuilder text, DeploymentSeries[] series, string name, string help, Func<DeploymentSeries, long> value)
    {
        Header(text, name, "counter", help);
        foreach (var s in series)
            Sample(text, name, s.Labels, value(s));
    }

    private static void Gauge(StringBuilder text, string name, string help, double value)
    {
        Header(text, name, "gauge", help);
        Sample(text, name, null, value);
    }

    private static void Histograms(StringBuilder text, DeploymentSeries[] series, string name, string help, Func<DeploymentSeries, Histogram> pick)
    {
        Header(text, name, "histogram", help);
        foreach (var s in series)
        {
            var h = pick(s);
            long cumulative = 0;
            for (var b = 0; b < h.BucketCount; b++)
            {
                cumulative += h.CountAt(b);
                var le = b < h.BoundsSeconds.Length ? Number(h.BoundsSeconds[b]) : "+Inf";
                Sample(text, name + "_bucket", $"{s.Labels},le=\"{le}\"", cumulative);
            }
            Sample(text, name + "_sum", s.Labels, h.SumSeconds);
            Sample(text, name + "_count", s.Labels, cumulative);
        }
    }

    private static void Header(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder text, string name, string? labels, double value)
    {
        text.Append(name);
        if (labels is not null)
            text.Append('{').Append(labels).Append('}');
        text.Append(' ').Append(Number(value)).Append('\n');
    }

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);
}
