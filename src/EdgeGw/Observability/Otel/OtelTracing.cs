using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace EdgeGw.Observability.Otel;

/// <summary>The OpenTelemetry SDK's tracer provider for the <c>otel</c> callback; disposing it flushes and stops export.</summary>
internal sealed class OtelTracing : IDisposable
{
    private readonly TracerProvider _provider;
    private readonly TracerProvider? _resourceCarrier;

    private OtelTracing(TracerProvider provider, TracerProvider? resourceCarrier, OtelExportHealth health)
    {
        _provider = provider;
        _resourceCarrier = resourceCarrier;
        Health = health;
    }

    /// <summary>Export failures and queue drops, for /metrics.</summary>
    public OtelExportHealth Health { get; }

    public static OtelTracing Start(OtelSettings settings, ILogger log)
    {
        UpstreamTraceparent.Enabled = settings.ForwardTraceparent;
        // forward_traceparent needs the attempt's span id on the request path: no API sets it afterwards.
        if (!settings.ForwardTraceparent)
            DeferredSpans.Start();
        var health = new OtelExportHealth(log, TimeSpan.FromMinutes(1));
        var resource = ResourceBuilder.CreateEmpty().AddService(settings.ServiceName, serviceVersion: GatewayInfo.Version);
        var builder = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource(GatewayActivity.SourceName);
        if (settings.Exporter == OtelExporterKind.Console)
            return new(builder.AddProcessor(new SimpleActivityExportProcessor(new ConsoleSpanExporter(Console.Out))).Build(), null, health);

        var options = new OtlpExporterOptions
        {
            Protocol = settings.Exporter == OtelExporterKind.OtlpGrpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf,
        };
        if (settings.Endpoint is { } endpoint)
            options.Endpoint = endpoint;
        if (settings.Headers is { } headers)
            options.Headers = headers;
        if (settings.ExportTimeoutMs is { } timeout)
            options.TimeoutMilliseconds = timeout;
        var exporter = new OtlpTraceExporter(options);
        // The OTLP exporter reads service.name from the provider it belongs to, which a wrapped exporter has
        // not: this provider listens to nothing and only lends it the resource.
        var carrier = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddProcessor(new SimpleActivityExportProcessor(exporter)).Build();
        var processor = new CountedBatchProcessor(new CountingSpanExporter(exporter, health), health, settings.Batch);
        return new(builder.AddProcessor(processor).Build(), carrier, health);
    }

    public void Dispose()
    {
        DeferredSpans.Stop();
        _provider.Dispose();
        _resourceCarrier?.Dispose();
    }
}
