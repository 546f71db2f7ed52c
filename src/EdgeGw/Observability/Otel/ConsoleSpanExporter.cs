using System.Diagnostics;
using OpenTelemetry;

namespace EdgeGw.Observability.Otel;

/// <summary>OTEL_EXPORTER=console: one line per span, without pulling in the SDK's console exporter package.</summary>
internal sealed class ConsoleSpanExporter(TextWriter output) : BaseExporter<Activity>
{
    public override ExportResult Export(in Batch<Activity> batch)
    {
        foreach (var span in batch)
        {
            output.Write($"otel span {span.DisplayName} trace={span.TraceId} span={span.SpanId} parent={span.ParentSpanId} duration_ms={span.Duration.TotalMilliseconds:F1}");
            foreach (var tag in span.TagObjects)
                output.Write($" {tag.Key}={(tag.Value is string[] values ? string.Join(',', values) : tag.Value)}");
            output.WriteLine();
        }
        return ExportResult.Success;
    }
}
