namespace EdgeGw.Observability.Otel;

/// <summary>Which wire an <c>otel</c> callback exports spans on (LiteLLM's <c>OTEL_EXPORTER</c>).</summary>
internal enum OtelExporterKind
{
    OtlpHttp,
    OtlpGrpc,
    Console,
}

/// <summary>LiteLLM's OpenTelemetry environment, read once at start-up.</summary>
internal sealed record OtelSettings(OtelExporterKind Exporter, Uri? Endpoint, string? Headers, string ServiceName)
{
    /// <summary>LiteLLM's default service name when neither OTEL_SERVICE_NAME nor a resource attribute names one.</summary>
    public const string DefaultServiceName = "litellm";

    /// <summary><c>litellm_settings.forward_traceparent_to_llm_provider</c>: upstream calls carry the attempt span's <c>traceparent</c>.</summary>
    public bool ForwardTraceparent { get; init; }

    /// <summary>The export queue and batches (the SDK's OTEL_BSP_* variables, read here so <c>environment_variables:</c> sets them too).</summary>
    public OtelBatchSettings Batch { get; init; } = new();

    /// <summary>OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT in ms; null: the SDK's 10 s.</summary>
    public int? ExportTimeoutMs { get; init; }

    /// <summary>
    /// LiteLLM's variables first (<c>OTEL_EXPORTER</c>, <c>OTEL_ENDPOINT</c>, <c>OTEL_HEADERS</c>), then the
    /// standard <c>OTEL_EXPORTER_OTLP_*</c> ones; an HTTP endpoint without a path gets <c>/v1/traces</c> as LiteLLM does.
    /// </summary>
    public static OtelSettings From(Func<string, string?> environment)
    {
        var exporterName = environment("OTEL_EXPORTER") ?? environment("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") ?? environment("OTEL_EXPORTER_OTLP_PROTOCOL");
        var exporter = exporterName?.Trim().ToLowerInvariant() switch
        {
            "otlp_grpc" or "grpc" => OtelExporterKind.OtlpGrpc,
            "console" => OtelExporterKind.Console,
            _ => OtelExporterKind.OtlpHttp,
        };
        var endpointText = environment("OTEL_ENDPOINT") ?? environment("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") ?? environment("OTEL_EXPORTER_OTLP_ENDPOINT");
        Uri? endpoint = null;
        if (!string.IsNullOrWhiteSpace(endpointText))
        {
            if (!Uri.TryCreate(endpointText.Trim(), UriKind.Absolute, out endpoint))
                throw new FormatException($"OTEL_ENDPOINT '{endpointText}' is not an absolute URL");
            if (exporter == OtelExporterKind.OtlpHttp && endpoint.AbsolutePath is "/" or "")
                endpoint = new Uri(endpoint, "/v1/traces");
        }
        var headers = environment("OTEL_HEADERS") ?? environment("OTEL_EXPORTER_OTLP_TRACES_HEADERS") ?? environment("OTEL_EXPORTER_OTLP_HEADERS");
        var service = environment("OTEL_SERVICE_NAME");
        return new(exporter, endpoint, string.IsNullOrWhiteSpace(headers) ? null : headers.Trim(),
            string.IsNullOrWhiteSpace(service) ? DefaultServiceName : service.Trim())
        {
            Batch = new OtelBatchSettings
            {
                MaxQueueSize = Positive(environment, "OTEL_BSP_MAX_QUEUE_SIZE") ?? OtelBatchSettings.DefaultMaxQueueSize,
                MaxExportBatchSize = Positive(environment, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE") ?? OtelBatchSettings.DefaultMaxExportBatchSize,
                ScheduleDelayMs = Positive(environment, "OTEL_BSP_SCHEDULE_DELAY") ?? OtelBatchSettings.DefaultScheduleDelayMs,
                ExportTimeoutMs = Positive(environment, "OTEL_BSP_EXPORT_TIMEOUT") ?? OtelBatchSettings.DefaultExportTimeoutMs,
            },
            ExportTimeoutMs = Positive(environment, "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT") ?? Positive(environment, "OTEL_EXPORTER_OTLP_TIMEOUT"),
        };
    }

    private static int? Positive(Func<string, string?> environment, string name)
    {
        if (environment(name) is not { } text || string.IsNullOrWhiteSpace(text))
            return null;
        return int.TryParse(text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new FormatException($"{name} '{text}' is not a positive whole number");
    }
}
