using StackExchange.Redis;

namespace EdgeGw.Shared;

/// <summary>
/// Heartbeats this replica's live leases in Redis (parallel slots and budget reservations): every
/// admitted <see cref="SharedHold"/> that holds one is linked in here until it settles (an O(1) link
/// under a lock, no allocation, no per-request timer), and one loop extends them all every third of
/// <see cref="Config.RedisSettings.LeaseTtl"/> in one script call (<c>Scripts/renew.lua</c>). A replica
/// that dies stops renewing, and its leases end one TTL later; a request longer than the TTL keeps its slot.
/// </summary>
internal sealed partial class LeaseRenewal : IAsyncDisposable
{
    private static readonly RedisScript Renew = RedisScript.Embedded("renew.lua");
    // Bounds one script's run (Redis is single-threaded): more pairs go as further calls in the same pipeline.
    private const int PairsPerCall = 1000;

    private readonly SharedLimits _owner;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private SharedHold? _head;
    private int _count;
    private int _failing;

    public LeaseRenewal(SharedLimits owner, ILogger logger)
    {
        _owner = owner;
        _logger = logger;
        // A third of the TTL: a lease survives two missed ticks. Floored so a tiny TTL cannot spin the loop.
        Period = TimeSpan.FromMilliseconds(Math.Max(owner.Settings.LeaseTtl.TotalMilliseconds / 3, 50));
        _loop = Api.InlineIo.Run(() => RunAsync(_stop.Token));
    }

    public TimeSpan Period { get; }
    /// <summary>Holds being renewed now.</summary>
    public int Count => Volatile.Read(ref _count);
    /// <summary>Leases extended so far (a metric of the heartbeat working).</summary>
    public long Renewed { get; private set; }

    public void Add(SharedHold hold)
    {
        lock (_lock)
        {
            if (hold.Listed)
                return;
            hold.Listed = true;
            hold.Next = _head;
            if (_head is not null)
                _head.Prev = hold;
            _head = hold;
            _count++;
        }
    }

    public void Remove(SharedHold hold)
    {
        lock (_lock)
        {
            if (!hold.Listed)
                return;
            hold.Listed = false;
            if (hold.Prev is { } prev)
                prev.Next = hold.Next;
            else
                _head = hold.Next;
            if (hold.Next is { } next)
                next.Prev = hold.Prev;
            hold.Prev = hold.Next = null;
            _count--;
        }
    }

    /// <summary>Stops renewing (a crash, as far as Redis can tell): the leases end one TTL after their last renewal.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
            return;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancel)
    {
        using var timer = new PeriodicTimer(Period);
        while (await TickAsync(timer, cancel).ConfigureAwait(false))
        {
            if (Count == 0 || !_owner.Breaker.Allow())
                continue;
            try
            {
                var renewed = await RenewAllAsync().WaitAsync(Period, cancel).ConfigureAwait(false);
                Renewed += renewed;
                if (_owner.Breaker.Succeeded())
                    _owner.LogBack();
                if (Interlocked.Exchange(ref _failing, 0) != 0)
                    LogRestored(_logger);
            }
            catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
            {
                // Retried next tick; the leases still have two thirds of their TTL.
                _owner.Failed();
                if (Interlocked.Exchange(ref _failing, 1) == 0)
                    LogFailed(_logger, e.GetType().Name);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task<bool> TickAsync(PeriodicTimer timer, CancellationToken cancel)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancel).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Every listed lease, in calls of at most <see cref="PairsPerCall"/> pairs sent together (one pipeline).</summary>
    private async Task<long> RenewAllAsync()
    {
        var ttl = (long)_owner.Settings.LeaseTtl.TotalMilliseconds;
        var keys = new List<RedisKey>();
        var leases = new List<RedisValue>();
        lock (_lock)
        {
            for (var hold = _head; hold is not null; hold = hold.Next)
                hold.LeasePairs(keys, leases);
        }
        var calls = new List<Task<RedisResult>>();
        for (var from = 0; from < leases.Count; from += PairsPerCall)
        {
            var count = Math.Min(PairsPerCall, leases.Count - from);
            var values = new RedisValue[count + 1];
            values[0] = ttl;
            leases.CopyTo(from, values, 1, count);
            calls.Add(Renew.EvaluateAsync(_owner.Database, keys.GetRange(from * 2, count * 2).ToArray(), values));
        }
        long renewed = 0;
        foreach (var result in await Task.WhenAll(calls).ConfigureAwait(false))
            renewed += (long)result;
        return renewed;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "redis: renewing parallel-slot and budget leases failed ({Failure}); retrying every {Period}, they expire if it goes on for a whole lease TTL")]
    private static partial void LogFailedCore(ILogger logger, string failure, TimeSpan period);

    private void LogFailed(ILogger logger, string failure) => LogFailedCore(logger, failure, Period);

    [LoggerMessage(Level = LogLevel.Information, Message = "redis: renewing leases again")]
    private static partial void LogRestored(ILogger logger);
}
