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
    // With Sentinel: the connection to the Sentinels, which moves _multiplexer to a new master on failover.
    private readonly ConnectionMultiplexer? _sentinels;

    private RedisConnection(RedisSettings settings, ConnectionMultiplexer multiplexer, ConnectionMultiplexer? sentinels, ILogger logger)
    {
        Settings = settings;
        Logger = logger;
        _multiplexer = multiplexer;
        _sentinels = sentinels;
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
        ConnectionMultiplexer? sentinels = null;
        ConnectionMultiplexer multiplexer;
        if (RedisOptions.IsSentinel(settings))
        {
            sentinels = ConnectionMultiplexer.SentinelConnect(RedisOptions.ForSentinels(settings));
            try
            {
                multiplexer = sentinels.GetSentinelMasterConnection(options);
            }
            catch (RedisConnectionException)
            {
                sentinels.Dispose();
                // Unlike a lone server, a master nobody names cannot be waited for: say which service, never the password.
                throw new InvalidOperationException(
                    $"redis ({settings.Source}): no Sentinel at {string.Join(", ", settings.SentinelNodes)} named a master for service '{settings.ServiceName}'");
            }
        }
        else
        {
            multiplexer = ConnectionMultiplexer.Connect(options);
        }
        multiplexer.ConnectionFailed += (_, e) => LogConnectionFailed(logger, settings.Source, e.EndPoint?.ToString() ?? "?", e.FailureType.ToString());
        multiplexer.ConnectionRestored += (_, e) => LogConnectionRestored(logger, settings.Source, e.EndPoint?.ToString() ?? "?");
        if (!multiplexer.IsConnected)
            LogNotConnected(logger, settings.Source);
        return new RedisConnection(settings, multiplexer, sentinels, logger);
    }

    public async ValueTask DisposeAsync()
    {
        await _multiplexer.DisposeAsync();
        if (_sentinels is not null)
            await _sentinels.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "redis ({Source}): connection to {EndPoint} failed ({Failure}); shared limits fall back as configured until it returns")]
    private static partial void LogConnectionFailed(ILogger logger, string source, string endPoint, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "redis ({Source}): connection to {EndPoint} restored")]
    private static partial void LogConnectionRestored(ILogger logger, string source, string endPoint);

    [LoggerMessage(Level = LogLevel.Error, Message = "redis ({Source}): not reachable at start; retrying in the background")]
    private static partial void LogNotConnected(ILogger logger, string source);
}
