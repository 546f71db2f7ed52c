using System.Text;

namespace EdgeGw.Observability.Otel;

/// <summary>The otel callback's lines in /metrics: spans exported, failed to export, dropped at a full queue.</summary>
internal static class OtelMetricsExposition
{
    public static void Write(StringBuilder text, OtelExportHealth? health)
    {
        if (health is null)
            return;
        MetricsExposition.Header(text, "edgegw_otel_export_failures_total", "counter", "Span batches the OpenTelemetry exporter could not deliver (collector down, refusing or too slow).");
        MetricsExposition.Sample(text, "edgegw_otel_export_failures_total", null, health.FailedBatches);
        MetricsExposition.Header(text, "edgegw_otel_spans_failed_total", "counter", "Spans in batches that failed to export.");
        MetricsExposition.Sample(text, "edgegw_otel_spans_failed_total", null, health.FailedSpans);
        MetricsExposition.Header(text, "edgegw_otel_spans_dropped_total", "counter", "Spans dropped because the export queue (OTEL_BSP_MAX_QUEUE_SIZE) was full.");
        MetricsExposition.Sample(text, "edgegw_otel_spans_dropped_total", null, health.DroppedSpans);
        MetricsExposition.Header(text, "edgegw_otel_spans_exported_total", "counter", "Spans the collector accepted.");
        MetricsExposition.Sample(text, "edgegw_otel_spans_exported_total", null, health.ExportedSpans);
    }
}
