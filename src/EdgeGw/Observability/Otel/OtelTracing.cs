using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace EdgeGw.Observability.Otel;

/// <summary>Starts the OpenTelemetry SDK's tracer provider for the <c>otel</c> callback; disposing it flushes and stops export.</summary>
internal static class OtelTracing
{
    public static TracerProvider Start(OtelSettings settings)
    {
        UpstreamTraceparent.Enabled = settings.ForwardTraceparent;
        var builder = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(settings.ServiceName, serviceVersion: GatewayInfo.Version))
            .AddSource(GatewayActivity.SourceName);
        if (settings.Exporter == OtelExporterKind.Console)
            return builder.AddProcessor(new SimpleActivityExportProcessor(new ConsoleSpanExporter(Console.Out))).Build();
        return builder.AddOtlpExporter(o =>
        {
            o.Protocol = settings.Exporter == OtelExporterKind.OtlpGrpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
            if (settings.Endpoint is { } endpoint)
                o.Endpoint = endpoint;
            if (settings.Headers is { } headers)
                o.Headers = headers;
        }).Build();
    }
}
