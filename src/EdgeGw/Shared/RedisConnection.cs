using EdgeGw.Config;
using StackExchange.Redis;

namespace EdgeGw.Shared;

/// <summary>
/// The one multiplexed connection to the shared Redis (StackExchange.Redis pipelines every command
/// of the process over it). Opened at start without waiting: a Redis that is down does not stop the
/// gateway, it reconnects in the background while limits follow <see cref="RedisSettings.OnUnavailable"/>.
/// </summary>
internal sealed partial class RedisConnection : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _multiplexer;

    private RedisConnection(RedisSettings settings, ConnectionMultiplexer multiplexer, ILogger logger)
    {
        Settings = settings;
        Logger = logger;
        _multiplexer = multiplexer;
    }

    public RedisSettings Settings { get; }
    /// <summary>Where Redis failures are told (the shared limits' breaker logs here too).</summary>
    public ILogger Logger { get; }
    public IDatabase Database => _multiplexer.GetDatabase(Settings.Database ?? -1);
    public ISubscriber Subscriber => _multiplexer.GetSubscriber();
    public bool IsConnected => _multiplexer.IsConnected;
    internal IConnectionMultiplexer Multiplexer => _multiplexer;

    public static RedisConnection Open(RedisSettings settings, ILogger logger)
    {
        var options = RedisOptions.For(settings);
        var multiplexer = ConnectionMultiplexer.Connect(options);
        multiplexer.ConnectionFailed += (_, e) => LogConnectionFailed(logger, settings.Source, e.EndPoint?.ToString() ?? "?", e.FailureType.ToString());
        multiplexer.ConnectionRestored += (_, e) => LogConnectionRestored(logger, settings.Source, e.EndPoint?.ToString() ?? "?");
        if (!multiplexer.IsConnected)
            LogNotConnected(logger, settings.Source);
        return new RedisConnection(settings, multiplexer, logger);
    }

    public async ValueTask DisposeAsync() => await _multiplexer.DisposeAsync();

    [LoggerMessage(Level = LogLevel.Error, Message = "redis ({Source}): connection to {EndPoint} failed ({Failure}); shared limits fall back as configured until it returns")]
    private static partial void LogConnectionFailed(ILogger logger, string source, string endPoint, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "redis ({Source}): connection to {EndPoint} restored")]
    private static partial void LogConnectionRestored(ILogger logger, string source, string endPoint);

    [LoggerMessage(Level = LogLevel.Error, Message = "redis ({Source}): not reachable at start; retrying in the background")]
    private static partial void LogNotConnected(ILogger logger, string source);
}
