namespace EdgeGw.Observability;

/// <summary>The long-lived metrics and the request logger, shared by every config snapshot.</summary>
internal sealed class GatewayTelemetry(ILogger requestLogger)
{
    /// <summary>The category of the one-line-per-request log (filterable on its own).</summary>
    public const string RequestLogCategory = "EdgeGw.Requests";

    public GatewayMetrics Metrics { get; } = new();
    public ILogger RequestLogger { get; } = requestLogger;
}
