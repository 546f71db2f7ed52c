namespace EdgeGw.Observability;

/// <summary>The long-lived metrics and the request logger, shared by every config snapshot.</summary>
internal sealed class GatewayTelemetry(ILogger requestLogger, Logging.ConsoleLogger? consoleRequestLogger = null)
{
    /// <summary>The category of the one-line-per-request log (filterable on its own).</summary>
    public const string RequestLogCategory = "EdgeGw.Requests";

    public GatewayMetrics Metrics { get; } = new();
    public ILogger RequestLogger { get; } = requestLogger;

    /// <summary>
    /// The request log's console logger when it is the only provider (the default): the line is
    /// then written to it as UTF-8 (<see cref="RequestLogEntry"/>). Null when another provider
    /// also receives entries. <see cref="RequestLogger"/> still decides the level.
    /// </summary>
    public Logging.ConsoleLogger? ConsoleRequestLogger { get; } = consoleRequestLogger;
}
