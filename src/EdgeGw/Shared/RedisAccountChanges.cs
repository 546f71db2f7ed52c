using EdgeGw.Storage;
using StackExchange.Redis;

namespace EdgeGw.Shared;

/// <summary>
/// Account changes over Redis pub/sub on <see cref="RedisKeys.AccountChannel"/>, in PostgreSQL's NOTIFY
/// payload format (<see cref="AccountChange.ToPayload"/>). Pub/sub keeps nothing for a subscriber that
/// is away, so every (re)subscription reloads every account: at start, and after each reconnect.
/// Messages are handled one at a time, in the order they arrive.
/// </summary>
internal sealed partial class RedisAccountChanges(RedisConnection redis, ILogger logger) : IAccountChanges
{
    private static readonly RedisChannel Channel = RedisChannel.Literal(RedisKeys.AccountChannel);
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(4);
    private readonly CancellationTokenSource _stop = new();
    private Task _subscribing = Task.CompletedTask;
    private ChannelMessageQueue? _queue;
    private IAccountChangeSink? _sink;

    public async Task PublishAsync(IReadOnlyCollection<AccountChange> changes)
    {
        if (changes.Count == 0)
            return;
        try
        {
            var subscriber = redis.Subscriber;
            await Task.WhenAll(changes.Select(c => subscriber.PublishAsync(Channel, c.ToPayload())));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogPublishFailed(logger, e.GetType().Name);
        }
    }

    public void Start(IAccountChangeSink sink)
    {
        _sink = sink;
        redis.Multiplexer.ConnectionRestored += Restored;
        _subscribing = Api.InlineIo.Run(() => SubscribeAsync(sink, _stop.Token));
    }

    /// <summary>Subscribes (retrying while Redis is away), then reloads: a change made before the subscription is in the reload.</summary>
    private async Task SubscribeAsync(IAccountChangeSink sink, CancellationToken cancel)
    {
        var delay = FirstRetry;
        while (!cancel.IsCancellationRequested)
        {
            try
            {
                var queue = await redis.Subscriber.SubscribeAsync(Channel);
                _queue = queue;
                queue.OnMessage(message => HeardAsync(sink, message.Message));
                await ReloadAsync(sink, cancel);
                return;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                LogSubscribeFailed(logger, e.GetType().Name, delay.TotalSeconds);
                try
                {
                    await Task.Delay(delay, cancel);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                delay = delay * 2 > LongestRetry ? LongestRetry : delay * 2;
            }
        }
    }

    private async Task HeardAsync(IAccountChangeSink sink, RedisValue message)
    {
        if (!AccountChange.TryParse((string?)message ?? "", out var change))
            return;
        try
        {
            await sink.ChangedAsync(change, _stop.Token);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception e)
        {
            // A row that cannot be read now is read by the next full reload; the subscription goes on.
            LogReloadFailed(logger, e.GetType().Name);
        }
    }

    /// <summary>The multiplexer resubscribes after a reconnect; what was published meanwhile is lost, so everything is reloaded.</summary>
    private void Restored(object? sender, ConnectionFailedEventArgs e)
    {
        if (_sink is { } sink && _queue is not null && !_stop.IsCancellationRequested)
            _ = ReloadAsync(sink, _stop.Token);
    }

    private async Task ReloadAsync(IAccountChangeSink sink, CancellationToken cancel)
    {
        try
        {
            await sink.ReloadAllAsync(cancel);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception e)
        {
            // Whatever broke (the database, a row LiteLLM wrote oddly), the next reconnect or change reloads again.
            LogReloadFailed(logger, e.GetType().Name);
        }
    }

    public async ValueTask DisposeAsync()
    {
        redis.Multiplexer.ConnectionRestored -= Restored;
        await _stop.CancelAsync();
        await _subscribing;
        if (_queue is { } queue)
        {
            try
            {
                await queue.UnsubscribeAsync();
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // Stopping anyway: the connection closes next.
            }
        }
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "redis: announcing an account change failed ({Failure}); other replicas see it after their next reconnect")]
    private static partial void LogPublishFailed(ILogger logger, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "redis: subscribing to account changes failed ({Failure}); retrying in {Delay} s, then reloading all accounts")]
    private static partial void LogSubscribeFailed(ILogger logger, string failure, double delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "redis: reloading accounts after a change failed ({Failure}); the next change or reconnect reloads them")]
    private static partial void LogReloadFailed(ILogger logger, string failure);
}
