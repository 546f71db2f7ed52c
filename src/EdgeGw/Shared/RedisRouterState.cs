using System.Collections.Concurrent;
using System.Globalization;
using EdgeGw.Routing;
using StackExchange.Redis;

namespace EdgeGw.Shared;

/// <summary>
/// Router state shared by the replicas through Redis, as LiteLLM's router keeps its cooldown and
/// failure caches there. The request path only writes, without waiting (fire-and-forget, pipelined on
/// the one connection); what the others did comes in on its own:
/// <list type="bullet">
/// <item>a cooldown: a key with the cooldown's TTL (a replica starting later finds it) and a message
/// on <see cref="Channel"/> (the others park the deployment within a round trip);</item>
/// <item>failures toward <c>allowed_fails</c>: INCR on a per-minute key, its reply judged when it comes;</item>
/// <item>latency and this minute's usage: written and read once a second by <see cref="RefreshAsync"/>.</item>
/// </list>
/// Redis down: writes are skipped and reads keep the last view; each replica routes on its own.
/// </summary>
internal sealed partial class RedisRouterState : IRouterPeers, IAsyncDisposable
{
    public static readonly RedisChannel Channel = RedisChannel.Literal("edgegw:router");
    private const string CooldownMessage = "cooldown:";
    private const string RequestsField = "requests";
    private const string TokensField = "tokens";
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan FailureWindow = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan UsageLife = TimeSpan.FromMinutes(2);
    // A replica that stopped reporting latency this long ago no longer counts.
    private static readonly TimeSpan LatencyLife = TimeSpan.FromSeconds(30);
    private static readonly RedisValue[] UsageFields = [RequestsField, TokensField];

    private readonly RedisConnection _redis;
    private readonly HealthRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, RouterStateKeys> _keys = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _refreshing;
    private int _subscribed;
    private int _failing;

    public RedisRouterState(RedisConnection redis, HealthRegistry registry, TimeProvider time, ILogger logger)
    {
        _redis = redis;
        _registry = registry;
        _time = time;
        _logger = logger;
        registry.Peers = this;
        _refreshing = Api.InlineIo.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>This process among the replicas: its own messages are not taken twice, its latency is one field.</summary>
    public string ReplicaId { get; } = Guid.NewGuid().ToString("N")[..12];

    private long Now => _time.GetUtcNow().UtcTicks;

    private RouterStateKeys KeysOf(string id) => _keys.GetOrAdd(id, static id => new RouterStateKeys(id));

    public void CooledDown(DeploymentHealth health, TimeSpan duration)
    {
        if (health.Id is not { } id || !_redis.IsConnected || duration <= TimeSpan.Zero)
            return;
        var db = _redis.Database;
        // The Async forms: they never wait for StackExchange.Redis's write lock on the request's (socket) thread.
        _ = db.StringSetAsync(KeysOf(id).Cooldown, ReplicaId, duration, flags: CommandFlags.FireAndForget);
        var message = CooldownMessage + ReplicaId + ":" + ((long)duration.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + ":" + id;
        _ = db.PublishAsync(Channel, message, CommandFlags.FireAndForget);
    }

    public void Failed(DeploymentHealth health, long now, Action<long> counted)
    {
        if (health.Id is not { } id || !_redis.IsConnected)
            return;
        var key = KeysOf(id).Failures(DeploymentHealth.MinuteOf(now));
        var batch = _redis.Database.CreateBatch();
        var count = batch.StringIncrementAsync(key);
        _ = batch.KeyExpireAsync(key, FailureWindow, flags: CommandFlags.FireAndForget);
        batch.Execute();
        count.ContinueWith(static (t, state) =>
        {
            // A timed-out or failed INCR leaves the local decision standing.
            if (t.IsCompletedSuccessfully)
                ((Action<long>)state!)(t.Result);
            else
                _ = t.Exception;
        }, counted, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public void Used(DeploymentHealth health, long tokens, long now)
    {
        if (health.Id is not { } id || !_redis.IsConnected)
            return;
        var db = _redis.Database;
        var key = KeysOf(id).Usage(DeploymentHealth.MinuteOf(now), out var first);
        _ = db.HashIncrementAsync(key, RequestsField, 1, CommandFlags.FireAndForget);
        if (tokens > 0)
            _ = db.HashIncrementAsync(key, TokensField, tokens, CommandFlags.FireAndForget);
        if (first)
            _ = db.KeyExpireAsync(key, UsageLife, flags: CommandFlags.FireAndForget);
    }

    private async Task RunAsync(CancellationToken cancel)
    {
        using var timer = new PeriodicTimer(Period);
        do
        {
            try
            {
                if (_redis.IsConnected)
                {
                    await SubscribeAsync();
                    await RefreshAsync();
                    if (Interlocked.Exchange(ref _failing, 0) != 0)
                        LogRestored(_logger);
                }
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                if (Interlocked.Exchange(ref _failing, 1) == 0)
                    LogFailed(_logger, e.GetType().Name);
            }
        }
        while (await WaitAsync(timer, cancel));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancel)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancel);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task SubscribeAsync()
    {
        if (Volatile.Read(ref _subscribed) != 0)
            return;
        // The multiplexer restores a subscription after a reconnect by itself: subscribing once is enough.
        await _redis.Subscriber.SubscribeAsync(Channel, (_, message) => Heard(message));
        Volatile.Write(ref _subscribed, 1);
    }

    private void Heard(RedisValue value)
    {
        // cooldown:<replica>:<milliseconds>:<deployment id>
        var text = (string?)value;
        if (text is null || !text.StartsWith(CooldownMessage, StringComparison.Ordinal))
            return;
        var parts = text[CooldownMessage.Length..].Split(':', 3);
        if (parts.Length != 3 || parts[0] == ReplicaId || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
            return;
        // Remaining time, not an instant: replicas' clocks need not agree.
        _registry.Find(parts[2])?.CoolDown(Now + TimeSpan.FromMilliseconds(ms).Ticks);
    }

    /// <summary>
    /// Once a second: this replica's latency out; every deployment's cooldown TTL, this minute's usage
    /// and the others' latency in. One pipelined batch, a few commands per deployment.
    /// </summary>
    private async Task RefreshAsync()
    {
        var now = Now;
        var minute = DeploymentHealth.MinuteOf(now);
        var wall = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var batch = _redis.Database.CreateBatch();
        var reads = new List<(DeploymentHealth Health, Task<TimeSpan?> Cooldown, Task<RedisValue[]> Usage, Task<HashEntry[]> Latency)>();
        foreach (var health in _registry.All)
        {
            if (health.Id is not { } id)
                continue;
            var keys = KeysOf(id);
            if (health.LocalLatency is > 0 and var latency)
            {
                _ = batch.HashSetAsync(keys.Latency, ReplicaId, latency.ToString("R", CultureInfo.InvariantCulture) + ":" + wall.ToString(CultureInfo.InvariantCulture), flags: CommandFlags.FireAndForget);
                _ = batch.KeyExpireAsync(keys.Latency, LatencyLife, flags: CommandFlags.FireAndForget);
            }
            reads.Add((health, batch.KeyTimeToLiveAsync(keys.Cooldown), batch.HashGetAsync(keys.Usage(minute, out _), UsageFields), batch.HashGetAllAsync(keys.Latency)));
        }
        batch.Execute();
        // Waiting on all at once observes every failure (a timeout fails them together).
        await Task.WhenAll(reads.SelectMany(r => (Task[])[r.Cooldown, r.Usage, r.Latency]));
        foreach (var (health, cooldown, usage, latency) in reads)
        {
            if (cooldown.Result is { } left && left > TimeSpan.Zero)
                health.CoolDown(Now + left.Ticks);
            var used = usage.Result;
            health.SetSharedUsage(minute, Long(used[0]), Long(used[1]));
            var (sum, count) = (0.0, 0);
            foreach (var entry in latency.Result)
            {
                if (entry.Name != ReplicaId && PeerLatency(entry.Value, wall) is { } seconds)
                    (sum, count) = (sum + seconds, count + 1);
            }
            health.SetPeerLatency(count == 0 ? 0 : sum / count, count);
        }
    }

    private static long Long(RedisValue value) => value.TryParse(out long n) ? n : 0;

    /// <summary>"seconds:unix ms" when reported within <see cref="LatencyLife"/>.</summary>
    private static double? PeerLatency(RedisValue value, long wall)
    {
        var text = (string?)value;
        var colon = text?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (colon <= 0
            || !double.TryParse(text.AsSpan(0, colon), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            || !long.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var at)
            || wall - at > LatencyLife.TotalMilliseconds || seconds <= 0)
            return null;
        return seconds;
    }

    public async ValueTask DisposeAsync()
    {
        _registry.Peers = null;
        await _stop.CancelAsync();
        await _refreshing;
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "redis: sharing router state failed ({Failure}); cooldowns, failures, latency and usage stay per replica until it returns")]
    private static partial void LogFailed(ILogger logger, string failure);

    [LoggerMessage(Level = LogLevel.Information, Message = "redis: sharing router state again")]
    private static partial void LogRestored(ILogger logger);
}
