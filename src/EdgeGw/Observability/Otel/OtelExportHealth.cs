using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace EdgeGw.Observability.Otel;

/// <summary>
/// What the span exporter could not deliver, for /metrics and a rate-limited warning: the SDK reports
/// export failures only to an EventSource, which the binary compiles out (EventSourceSupport=false).
/// </summary>
internal sealed partial class OtelExportHealth(ILogger log, TimeSpan logInterval)
{
    private long _failedBatches;
    private long _failedSpans;
    private long _exportedSpans;
    private long _lastLog = long.MinValue;
    private long _failedLogged;
    private long _pending;
    private long _dropped;

    public long FailedBatches => Interlocked.Read(ref _failedBatches);
    public long FailedSpans => Interlocked.Read(ref _failedSpans);
    public long ExportedSpans => Interlocked.Read(ref _exportedSpans);
    /// <summary>Spans that found the export queue full (OTEL_BSP_MAX_QUEUE_SIZE).</summary>
    public long DroppedSpans => Interlocked.Read(ref _dropped);

    /// <summary>
    /// A span may join the export queue unless <paramref name="capacity"/> spans already wait or are being
    /// exported: the same bound as the SDK's queue, which counts its drops only where we cannot read them.
    /// </summary>
    public bool TryQueue(int capacity)
    {
        if (Interlocked.Increment(ref _pending) <= capacity)
            return true;
        Interlocked.Decrement(ref _pending);
        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>Runs on the exporter's own thread, never on a request's.</summary>
    public void Exported(long spans, ExportResult result)
    {
        Interlocked.Add(ref _pending, -spans);
        if (result == ExportResult.Success)
        {
            Interlocked.Add(ref _exportedSpans, spans);
            return;
        }
        var failed = Interlocked.Increment(ref _failedBatches);
        Interlocked.Add(ref _failedSpans, spans);
        var now = Environment.TickCount64;
        if (now - Interlocked.Read(ref _lastLog) < (long)logInterval.TotalMilliseconds)
            return;
        Interlocked.Exchange(ref _lastLog, now);
        LogFailed(log, failed - Interlocked.Exchange(ref _failedLogged, failed), failed);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "otel: {Batches} span batches failed to export since the last report ({Total} in all): the collector is down, refusing or too slow")]
    private static partial void LogFailed(ILogger log, long batches, long total);
}

/// <summary>The SDK's batch processor behind a queue bound whose drops are counted.</summary>
internal sealed class CountedBatchProcessor(BaseExporter<Activity> exporter, OtelExportHealth health, OtelBatchSettings batch)
    : BatchActivityExportProcessor(exporter, batch.MaxQueueSize, batch.ScheduleDelayMs, batch.ExportTimeoutMs, Math.Min(batch.MaxExportBatchSize, batch.MaxQueueSize))
{
    public override void OnEnd(Activity data)
    {
        // Unsampled spans are never queued (the base skips them too): they must not hold a place.
        if (data.Recorded && health.TryQueue(batch.MaxQueueSize))
            base.OnEnd(data);
    }
}

/// <summary>Passes batches to the real exporter and counts the ones it could not deliver.</summary>
internal sealed class CountingSpanExporter(BaseExporter<Activity> inner, OtelExportHealth health) : BaseExporter<Activity>
{
    public override ExportResult Export(in Batch<Activity> batch)
    {
        ExportResult result;
        try
        {
            result = inner.Export(batch);
        }
        catch (Exception)
        {
            // An exporter that throws loses the batch all the same: count it, keep the worker alive.
            result = ExportResult.Failure;
        }
        health.Exported(batch.Count, result);
        return result;
    }

    protected override bool OnForceFlush(int timeoutMilliseconds) => inner.ForceFlush(timeoutMilliseconds);

    protected override bool OnShutdown(int timeoutMilliseconds) => inner.Shutdown(timeoutMilliseconds);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }
}
