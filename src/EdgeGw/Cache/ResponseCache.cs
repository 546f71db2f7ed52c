using EdgeGw.Config;
using EdgeGw.Shared;

namespace EdgeGw.Cache;

/// <summary>
/// The gateway's response cache (one per process, kept across reloads; <see cref="Apply"/> takes a
/// reloaded config's settings). Never fails a request: a store that errs or times out is a miss, a
/// metric and a log line at most every <see cref="LogEvery"/>; storing never delays the client.
/// </summary>
internal sealed partial class ResponseCache
{
    private static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(30);
    private readonly ICacheStore _store;
    private readonly RedisBreaker? _breaker;
    private readonly ILogger _logger;
    private CacheSettings _settings;
    private long _nextLogTicks;

    public ResponseCache(CacheSettings settings, RedisConnection? redis, TimeProvider time, ILogger logger)
    {
        _settings = settings;
        _logger = logger;
        Time = time;
        if (settings.Type == CacheType.Redis && redis is not null)
        {
            _store = new RedisCacheStore(redis);
            _breaker = new RedisBreaker(TimeSpan.FromSeconds(5));
        }
        else
        {
            _store = Local = new LocalCacheStore(settings.MaxEntries, settings.MaxBytes, time);
        }
    }

    public CacheSettings Settings => Volatile.Read(ref _settings);
    public CacheType Type => Local is null ? CacheType.Redis : CacheType.Local;
    /// <summary>The in-process store, when that is where entries live.</summary>
    public LocalCacheStore? Local { get; }
    public CacheMetrics Metrics { get; } = new();
    public TimeProvider Time { get; }

    /// <summary>Takes a reloaded config's ttl, namespace, mode and call types (the store stays).</summary>
    public void Apply(CacheSettings settings) => Volatile.Write(ref _settings, settings);

    /// <summary>Now, as an entry's <see cref="CacheEntry.CreatedUnixMs"/>.</summary>
    public long NowUnixMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The entry for <paramref name="key"/>, unless missing, older than <paramref name="maxAge"/>, or the store failed.</summary>
    public async ValueTask<CacheEntry?> GetAsync(CacheKey key, TimeSpan? maxAge, CancellationToken cancellationToken)
    {
        CacheEntry? entry = null;
        if (_breaker is null || _breaker.Allow())
        {
            try
            {
                entry = await _store.GetAsync(key.Value, cancellationToken).ConfigureAwait(false);
                _breaker?.Succeeded();
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Failed(e, "read");
            }
        }
        if (entry is not null && maxAge is { } age && NowUnixMs - entry.CreatedUnixMs > (long)age.TotalMilliseconds)
            entry = null;
        if (entry is null)
            Metrics.Miss();
        else
            Metrics.Hit(entry.Body.Length);
        return entry;
    }

    /// <summary>Stores the entry in the background (<paramref name="ttl"/>, else the config's); an entry over the size limit is not kept.</summary>
    public void Store(CacheKey key, CacheEntry entry, TimeSpan? ttl)
    {
        var settings = Settings;
        if (entry.Size > settings.MaxEntryBytes || (_breaker is not null && !_breaker.Allow()))
            return;
        var task = _store.SetAsync(key.Value, entry, ttl ?? settings.Ttl);
        if (task.IsCompletedSuccessfully)
        {
            Metrics.Stored();
            return;
        }
        _ = Finish(task);

        async Task Finish(Task pending)
        {
            try
            {
                await pending.ConfigureAwait(false);
                _breaker?.Succeeded();
                Metrics.Stored();
            }
            catch (Exception e)
            {
                Failed(e, "write");
            }
        }
    }

    /// <summary><c>/cache/ping</c>: throws when the store does not answer.</summary>
    public Task PingAsync() => _store.PingAsync();

    public Task<long> DeleteAsync(IReadOnlyList<string> keys) => _store.DeleteAsync(keys);

    public Task FlushAsync() => _store.FlushAsync();

    private void Failed(Exception e, string what)
    {
        Metrics.RedisError();
        _breaker?.Failed();
        var now = Environment.TickCount64;
        var next = Volatile.Read(ref _nextLogTicks);
        if (now >= next && Interlocked.CompareExchange(ref _nextLogTicks, now + (long)LogEvery.TotalMilliseconds, next) == next)
            LogFailed(_logger, what, e.GetType().Name);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "response cache: redis {What} failed ({Error}); requests go to their provider until it answers")]
    private static partial void LogFailed(ILogger logger, string what, string error);
}
