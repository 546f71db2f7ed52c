using System.Globalization;
using System.Text;

namespace EdgeGw.Observability;

/// <summary>
/// Prometheus text exposition (format 0.0.4) with LiteLLM's metric names, label names, buckets
/// and number formatting (litellm/integrations/prometheus.py through prometheus_client: counters
/// end in <c>_total</c>, numbers print as Python floats), so its Grafana dashboards work.
/// Labels EdgeGw does not track (<c>end_user</c>, <c>user_email</c>, <c>route</c>, <c>client_ip</c>,
/// <c>user_agent</c>) are left off; EdgeGw's own series are named <c>edgegw_*</c>.
/// Allocates per scrape, never per request.
/// </summary>
internal static class MetricsExposition
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Write(GatewayMetrics metrics)
    {
        var deployments = metrics.Series.ToArray();
        var callers = deployments.SelectMany(d => d.Callers).ToArray();
        var text = new StringBuilder(8192 + callers.Length * 16384);

        Header(text, "litellm_proxy_total_requests_metric_total", "counter", "Total number of requests made to the proxy server - track number of client side requests");
        foreach (var c in callers)
        {
            for (var slot = 0; slot < StatusLabels.Codes.Length; slot++)
            {
                if (c.Requests(slot) is var n and > 0)
                    Sample(text, "litellm_proxy_total_requests_metric_total", $"{c.Proxy},status_code=\"{StatusLabels.Text[slot]}\"", n);
            }
        }
        Header(text, "litellm_proxy_failed_requests_metric_total", "counter", "Total number of failed responses from proxy - the client did not get a success response from litellm proxy");
        foreach (var c in callers)
            Failures(text, "litellm_proxy_failed_requests_metric_total", c, c.Proxy, c.ProviderName);

        Counter(text, callers, "litellm_input_tokens_metric_total", "Total number of input tokens from LLM requests", c => c.Model, c => c.InputTokens);
        Counter(text, callers, "litellm_output_tokens_metric_total", "Total number of output tokens from LLM requests", c => c.Model, c => c.OutputTokens);
        Counter(text, callers, "litellm_total_tokens_metric_total", "Total number of input + output tokens from LLM requests", c => c.Model, c => c.InputTokens + c.OutputTokens);
        Header(text, "litellm_spend_metric_total", "counter", "Total spend on LLM requests");
        foreach (var c in callers)
            Sample(text, "litellm_spend_metric_total", c.Spend, (double)Spend.Money.ToDollars(c.SpendNanos));

        Histograms(text, callers, "litellm_request_total_latency_metric", "Total latency (seconds) for a request to LiteLLM", c => c.Model, c => c.TotalLatency);
        Histograms(text, callers, "litellm_llm_api_latency_metric", "Total latency (seconds) for a models LLM API call", c => c.Model, c => c.LlmLatency);
        Histograms(text, callers, "litellm_llm_api_time_to_first_token_metric", "Time to first token for a models LLM API call", c => c.Model, c => c.TimeToFirstToken);
        Histograms(text, callers, "litellm_overhead_latency_metric", "Latency overhead (seconds) added by the gateway's processing", c => c.Overhead, c => c.OverheadLatency);
        Histograms(text, callers, "litellm_deployment_latency_per_output_token", "LLM Deployment Analytics - Latency per output token", c => c.PerToken, c => c.LatencyPerOutputToken);

        Header(text, "litellm_deployment_state", "gauge", "LLM Deployment Analytics - The state of the deployment: 0 = healthy, 1 = partial outage, 2 = complete outage");
        foreach (var d in deployments)
            Sample(text, "litellm_deployment_state", d.StateLabels, d.State);
        Counter(text, callers, "litellm_deployment_success_responses_total", "LLM Deployment Analytics - Total number of successful LLM API calls via litellm", c => c.Deployment, c => c.Requests(0));
        Header(text, "litellm_deployment_failure_responses_total", "counter", "LLM Deployment Analytics - Total number of failed LLM API calls for a specific LLM deploymeny. exception_status is the status of the exception from the llm api");
        foreach (var c in callers)
            Failures(text, "litellm_deployment_failure_responses_total", c, c.Deployment, c.ProviderName);
        Counter(text, callers, "litellm_deployment_total_requests_total", "LLM Deployment Analytics - Total number of LLM API calls via litellm - success + failure", c => c.Deployment,
            c => Enumerable.Range(0, StatusLabels.Codes.Length).Sum(c.Requests));

        Header(text, "litellm_remaining_requests_metric", "gauge", "LLM Deployment Analytics - remaining requests for model, returned from LLM API Provider");
        foreach (var c in callers)
        {
            if (c.RemainingRequests >= 0)
                Sample(text, "litellm_remaining_requests_metric", c.RateLimit, c.RemainingRequests);
        }
        Header(text, "litellm_remaining_tokens_metric", "gauge", "remaining tokens for model, returned from LLM API Provider");
        foreach (var c in callers)
        {
            if (c.RemainingTokens >= 0)
                Sample(text, "litellm_remaining_tokens_metric", c.RateLimit, c.RemainingTokens);
        }

        BudgetMetrics.Write(text, metrics.Accounts);

        Gauge(text, "edgegw_in_flight_requests", "Model requests being answered.", metrics.InFlightRequests);
        Gauge(text, "edgegw_in_flight_streams", "Streamed answers being sent.", metrics.InFlightStreams);
        Header(text, "edgegw_rate_limit_refusals_total", "counter", "Requests refused with 429 before reaching a provider.");
        Sample(text, "edgegw_rate_limit_refusals_total", null, metrics.RateLimitRefusals);
        Header(text, "edgegw_budget_refusals_total", "counter", "Requests refused because a budget was exceeded.");
        Sample(text, "edgegw_budget_refusals_total", null, metrics.BudgetRefusals);
        SpendQueueMetrics(text, metrics.SpendWriter);
        SharedLimitMetrics(text, metrics.SharedLimits);
        Cache.CacheMetricsExposition.Write(text, metrics.Cache);
        Callbacks.CallbackMetricsExposition.Write(text, metrics.Callbacks);
        Otel.OtelMetricsExposition.Write(text, metrics.OtelExport);
        Histograms(text, callers, "edgegw_gateway_overhead_seconds", "Seconds the gateway itself added (total minus provider call), in buckets fine enough for microseconds.", c => c.Overhead, c => c.GatewayOverhead);

        Gauge(text, "edgegw_process_working_set_bytes", "Process working set.", Environment.WorkingSet);
        // Before the first collection there is no "after the last GC": the live heap size stands in.
        Gauge(text, "edgegw_gc_heap_bytes", "Managed heap size after the last GC.", GC.GetGCMemoryInfo().HeapSizeBytes is > 0 and var heap ? heap : GC.GetTotalMemory(false));
        Gauge(text, "edgegw_gc_allocated_bytes_total", "Bytes allocated on the managed heap since start.", GC.GetTotalAllocatedBytes());
        Header(text, "edgegw_gc_pause_seconds_total", "counter", "Time the process was paused for garbage collection.");
        Sample(text, "edgegw_gc_pause_seconds_total", null, GC.GetTotalPauseDuration().TotalSeconds);
        Header(text, "edgegw_gc_collections_total", "counter", "Garbage collections by generation.");
        for (var g = 0; g <= GC.MaxGeneration; g++)
            Sample(text, "edgegw_gc_collections_total", $"generation=\"{g}\"", GC.CollectionCount(g));
        return text.ToString();
    }

    private static void SharedLimitMetrics(StringBuilder text, Shared.SharedLimits? shared)
    {
        if (shared is null)
            return;
        Gauge(text, "edgegw_redis_breaker_open", "1 while Redis is treated as unavailable for shared limits (breaker open), else 0.", shared.Breaker.IsOpen ? 1 : 0);
        Counter(text, "edgegw_redis_fallback_total", "Requests admitted on this replica's own limits because Redis was unavailable.", shared.Fallbacks);
        Counter(text, "edgegw_redis_unavailable_refusals_total", "Requests refused with 503 because Redis was unavailable (redis_failure_mode: closed).", shared.UnavailableRefusals);
        Counter(text, "edgegw_redis_failures_total", "Shared-limit calls to Redis that failed or timed out.", shared.Failures);
        if (shared.Credits is not { } credits)
            return;
        Counter(text, "edgegw_redis_credit_admissions_total", "Requests admitted on this replica's admission credits, without a round trip to Redis.", credits.Admitted);
        Counter(text, "edgegw_redis_credit_grants_total", "Admission credits Redis granted this replica.", credits.Granted);
    }

    private static void SpendQueueMetrics(StringBuilder text, Storage.SpendWriter? writer)
    {
        if (writer is null)
            return;
        Gauge(text, "edgegw_spend_queued_rows", "Spend rows and counter updates waiting in memory to be written to the database.", writer.QueuedRows);
        Counter(text, "edgegw_spend_write_failures_total", "Spend batches the database refused (each is retried).", writer.FailedCommits);
        Counter(text, "edgegw_spend_refusals_total", "Requests refused with 503 because their spend could not be recorded.", writer.Refusals);
        Counter(text, "edgegw_spend_rows_dropped_total", "Spend-log rows not stored (allow_requests_on_db_unavailable with a full queue).", writer.DroppedRows);
    }

    private static void Failures(StringBuilder text, string name, CallerSeries c, string labels, string provider)
    {
        for (var slot = 0; slot < StatusLabels.Codes.Length; slot++)
        {
            if (StatusLabels.IsFailure(slot) && c.Requests(slot) is var n and > 0)
                Sample(text, name, $"{labels},exception_status=\"{StatusLabels.Text[slot]}\",exception_class=\"{CallerSeries.Escape(provider)}.{StatusLabels.ExceptionClass(slot)}\"", n);
        }
    }

    private static void Counter(StringBuilder text, CallerSeries[] callers, string name, string help, Func<CallerSeries, string> labels, Func<CallerSeries, long> value)
    {
        Header(text, name, "counter", help);
        foreach (var c in callers)
            Sample(text, name, labels(c), value(c));
    }

    internal static void Gauge(StringBuilder text, string name, string help, double value)
    {
        Header(text, name, "gauge", help);
        Sample(text, name, null, value);
    }

    internal static void Counter(StringBuilder text, string name, string help, double value)
    {
        Header(text, name, "counter", help);
        Sample(text, name, null, value);
    }

    private static void Histograms(StringBuilder text, CallerSeries[] callers, string name, string help, Func<CallerSeries, string> labels, Func<CallerSeries, Histogram> pick)
    {
        Header(text, name, "histogram", help);
        foreach (var c in callers)
        {
            var h = pick(c);
            var l = labels(c);
            long cumulative = 0;
            for (var b = 0; b < h.BucketCount; b++)
            {
                cumulative += h.CountAt(b);
                var le = b < h.BoundsSeconds.Length ? Number(h.BoundsSeconds[b]) : "+Inf";
                Sample(text, name + "_bucket", $"{l},le=\"{le}\"", cumulative);
            }
            Sample(text, name + "_count", l, cumulative);
            Sample(text, name + "_sum", l, h.SumSeconds);
        }
    }

    internal static void Header(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    internal static void Sample(StringBuilder text, string name, string? labels, double value)
    {
        text.Append(name);
        if (labels is not null)
            text.Append('{').Append(labels).Append('}');
        text.Append(' ').Append(Number(value)).Append('\n');
    }

    /// <summary>Python's float repr, as prometheus_client prints values and bucket bounds: 1.0, 0.005, +Inf.</summary>
    internal static string Number(double value)
    {
        if (double.IsPositiveInfinity(value))
            return "+Inf";
        if (double.IsNegativeInfinity(value))
            return "-Inf";
        if (double.IsNaN(value))
            return "NaN";
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        if (text.Contains('E', StringComparison.Ordinal))
            return text.Replace('E', 'e'); // 6.5e-05, 1e+16
        return value == Math.Floor(value) ? text + ".0" : text;
    }
}
