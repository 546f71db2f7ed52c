using System.Diagnostics;
using EdgeGw.Api;

namespace EdgeGw.Ops;

/// <summary>
/// Says what a graceful shutdown is doing: SIGTERM/SIGINT stop the listener, in-flight requests
/// and streams get up to <c>general_settings.graceful_shutdown_seconds</c> to finish (then they
/// are aborted), and the spend writer commits what it holds once the server has stopped.
/// </summary>
internal static partial class ShutdownLog
{
    public static void Register(WebApplication app, TimeSpan drain)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeGw.Shutdown");
        var metrics = app.Services.GetRequiredService<GatewayRuntime>().Telemetry.Metrics;
        long stopping = 0;
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            stopping = Stopwatch.GetTimestamp();
            LogDraining(logger, metrics.InFlightRequests, metrics.InFlightStreams, drain.TotalSeconds);
        });
        app.Lifetime.ApplicationStopped.Register(() =>
            LogStopped(logger, metrics.InFlightRequests, Stopwatch.GetElapsedTime(stopping).TotalMilliseconds));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "shutdown: no longer accepting; draining {Requests} in-flight requests ({Streams} streams), up to {Seconds} s")]
    private static partial void LogDraining(ILogger logger, long requests, long streams, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "shutdown: server stopped after {Ms:0} ms ({Requests} requests still in flight were aborted); flushing spend")]
    private static partial void LogStopped(ILogger logger, long requests, double ms);
}
