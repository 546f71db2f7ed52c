namespace EdgeGw.Observability.Otel;

/// <summary>The batch span processor's bounds, with the OpenTelemetry specification's defaults.</summary>
internal sealed record OtelBatchSettings
{
    public const int DefaultMaxQueueSize = 2048;
    public const int DefaultMaxExportBatchSize = 512;
    public const int DefaultScheduleDelayMs = 5000;
    public const int DefaultExportTimeoutMs = 30000;

    /// <summary>Spans waiting for export; when full, new spans are dropped (and counted).</summary>
    public int MaxQueueSize { get; init; } = DefaultMaxQueueSize;
    public int MaxExportBatchSize { get; init; } = DefaultMaxExportBatchSize;
    public int ScheduleDelayMs { get; init; } = DefaultScheduleDelayMs;
    public int ExportTimeoutMs { get; init; } = DefaultExportTimeoutMs;
}
