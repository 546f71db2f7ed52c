using System.Runtime.InteropServices;
using EdgeGw.Api;
using EdgeGw.Config;

namespace EdgeGw.Ops;

/// <summary>
/// Live reload: on SIGHUP the config file is read and validated again and, if valid, becomes the
/// snapshot new requests use (<see cref="GatewayRuntime.Replace"/>); requests already running finish
/// on the old one. An invalid file changes nothing and is logged with the problem's key path.
/// Listen address, port, database, log format and the shutdown timeout are fixed at start.
/// </summary>
internal sealed partial class ConfigReloader : IDisposable
{
    private readonly GatewayRuntime _runtime;
    private readonly string _path;
    private readonly ILogger _logger;
    private readonly PosixSignalRegistration? _signal;
    private readonly Lock _gate = new();

    private ConfigReloader(GatewayRuntime runtime, string path, ILogger logger, bool onSignal)
    {
        _runtime = runtime;
        _path = path;
        _logger = logger;
        if (onSignal && !OperatingSystem.IsWindows())
        {
            _signal = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true; // SIGHUP's default action would end the process
                _ = Task.Run(Reload);
            });
        }
    }

    /// <summary>Reloads <paramref name="path"/> on every SIGHUP until disposed.</summary>
    public static ConfigReloader OnSignal(WebApplication app, string path) => new(
        app.Services.GetRequiredService<GatewayRuntime>(), path,
        app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeGw.Reload"), onSignal: true);

    /// <summary>A reloader without a signal handler, for tests and callers that trigger reloads themselves.</summary>
    public static ConfigReloader Manual(GatewayRuntime runtime, string path, ILogger logger) => new(runtime, path, logger, onSignal: false);

    /// <summary>Reads, validates and swaps in the config file; false (old config kept) when it is invalid.</summary>
    public bool Reload()
    {
        lock (_gate)
        {
            GatewayConfig config;
            try
            {
                config = ConfigLoader.LoadFile(_path);
            }
            catch (ConfigException e)
            {
                LogRejected(_logger, _path, e.Message);
                return false;
            }
            try
            {
                _runtime.Replace(config);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                LogRejected(_logger, _path, e.Message);
                return false;
            }
            foreach (var warning in config.Warnings)
                LogWarning(_logger, warning);
            LogReloaded(_logger, _path, config.Deployments.Length);
            return true;
        }
    }

    public void Dispose() => _signal?.Dispose();

    [LoggerMessage(Level = LogLevel.Error, Message = "config reload: {Path} rejected, the previous config stays in use: {Problem}")]
    private static partial void LogRejected(ILogger logger, string path, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "config reload: {Warning}")]
    private static partial void LogWarning(ILogger logger, string warning);

    [LoggerMessage(Level = LogLevel.Information, Message = "config reload: {Path} loaded ({Deployments} deployments)")]
    private static partial void LogReloaded(ILogger logger, string path, int deployments);
}
