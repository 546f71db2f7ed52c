using System.Collections.Concurrent;
using System.Threading.Channels;
using EdgeGw.Api.Responses;

namespace EdgeGw.Storage;

/// <summary>
/// <see cref="IResponseStore"/> over one database table. A saved turn is held in memory (so a
/// follow-up on this process finds it at once) and queued; one background reader writes the queue
/// in batches, one transaction each, and lets go of the memory copy once written. A failed batch is
/// retried; the queue is bounded and drops its oldest turn when full (counted in <see cref="Dropped"/>),
/// so the database being down never holds up a request. Retention: turns older than the configured
/// period are invisible at once and purged hourly, as is anything beyond the newest <c>MaxRows</c>.
/// </summary>
internal sealed partial class ResponseStore : IResponseStore, IAsyncDisposable
{
    public const int QueueBound = 4096;
    private const int BatchSize = 256;
    private const int WriteAttempts = 5;
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(30);
    public const int DefaultMaxRows = 100_000;
    public static readonly TimeSpan PurgeInterval = TimeSpan.FromHours(1);

    private readonly IResponseTable _table;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<StoredResponse> _queue;
    private readonly ConcurrentDictionary<string, StoredResponse> _pending = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _writing = new(1, 1); // a delete waits for the batch in flight, so it cannot be resurrected
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _writer;
    private Task? _purge;
    private Limits _limits = new(DefaultRetention, DefaultMaxRows);
    private long _dropped;

    private sealed record Limits(TimeSpan Retention, int MaxRows);

    public ResponseStore(IResponseTable table, TimeProvider time, ILogger logger)
    {
        _table = table;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<StoredResponse>(new BoundedChannelOptions(QueueBound)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropOldest,
        }, dropped =>
        {
            _pending.TryRemove(KeyValuePair.Create(dropped.Id, dropped));
            Interlocked.Increment(ref _dropped);
        });
        _writer = Api.InlineIo.Run(WriteLoopAsync);
    }

    /// <summary>Turns lost because the queue was full or the database refused them.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public TimeSpan Retention => Volatile.Read(ref _limits).Retention;

    /// <summary>Takes <c>edgegw_response_retention_days</c> and <c>edgegw_response_store_max_rows</c>; the first call starts the purge.</summary>
    public void Configure(TimeSpan? retention, int? maxRows)
    {
        Volatile.Write(ref _limits, new Limits(retention ?? DefaultRetention, maxRows ?? DefaultMaxRows));
        if (_purge is null && !_stop.IsCancellationRequested)
            _purge = Api.InlineIo.Run(PurgeLoopAsync);
    }

    public void Save(StoredResponse response)
    {
        _pending[response.Id] = response;
        if (!_queue.Writer.TryWrite(response))
            _pending.TryRemove(KeyValuePair.Create(response.Id, response)); // closed: shutting down
    }

    public async ValueTask<StoredResponse?> GetAsync(string id, CancellationToken ct)
    {
        var found = _pending.TryGetValue(id, out var held) ? held : await _table.GetAsync(id, ct);
        return found is not null && found.CreatedAt >= _time.GetUtcNow() - Retention ? found : null;
    }

    public async ValueTask<bool> DeleteAsync(string id, CancellationToken ct)
    {
        await _writing.WaitAsync(ct);
        try
        {
            var held = _pending.TryRemove(id, out _);
            return await _table.DeleteAsync(id, ct) || held;
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>Purges once: expired turns, then the oldest beyond the row cap; returns how many.</summary>
    public async Task<long> PurgeOnceAsync(CancellationToken cancel = default)
    {
        var limits = Volatile.Read(ref _limits);
        var deleted = await _table.PurgeAsync(_time.GetUtcNow() - limits.Retention, limits.MaxRows, cancel);
        if (deleted > 0)
            LogPurged(_logger, deleted);
        return deleted;
    }

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<StoredResponse>(BatchSize);
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < BatchSize && reader.TryRead(out var next))
            {
                // Deleted (or saved again) while queued: nothing to write for this one.
                if (_pending.TryGetValue(next.Id, out var current) && ReferenceEquals(current, next))
                    batch.Add(next);
            }
            if (batch.Count > 0)
                await WriteAsync(batch);
        }
    }

    private async Task WriteAsync(List<StoredResponse> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            await _writing.WaitAsync();
            try
            {
                // A delete that ran while this batch waited has taken its turns out of the pending set.
                batch.RemoveAll(r => !_pending.TryGetValue(r.Id, out var current) || !ReferenceEquals(current, r));
                await _table.InsertAsync(batch, CancellationToken.None);
                foreach (var r in batch)
                    _pending.TryRemove(KeyValuePair.Create(r.Id, r));
                return;
            }
            catch (Exception e) when (e is StoreException or StoreUnavailableException or Microsoft.Data.Sqlite.SqliteException or Npgsql.NpgsqlException or TimeoutException)
            {
                if (attempt >= WriteAttempts || _stop.IsCancellationRequested)
                {
                    foreach (var r in batch)
                        _pending.TryRemove(KeyValuePair.Create(r.Id, r));
                    Interlocked.Add(ref _dropped, batch.Count);
                    LogDropped(_logger, batch.Count, e.Message);
                    return;
                }
                LogRetrying(_logger, attempt, e.Message);
            }
            finally
            {
                _writing.Release();
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), _time, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                // Shutting down: one last attempt, then the batch is dropped.
            }
        }
    }

    private async Task PurgeLoopAsync()
    {
        var cancel = _stop.Token;
        while (!cancel.IsCancellationRequested)
        {
            try
            {
                await PurgeOnceAsync(cancel);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is StoreException or StoreUnavailableException or Microsoft.Data.Sqlite.SqliteException or Npgsql.NpgsqlException or TimeoutException or ObjectDisposedException)
            {
                LogPurgeFailed(_logger, e.Message);
            }
            try
            {
                await Task.Delay(PurgeInterval, _time, cancel);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Writes what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_queue.Writer.TryComplete())
            return;
        await _writer.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _stop.CancelAsync();
        if (_purge is { } purge)
            await purge.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "responses: purged {Count} stored turns (edgegw_response_retention_days / edgegw_response_store_max_rows)")]
    private static partial void LogPurged(ILogger logger, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "responses: writing stored turns failed (attempt {Attempt}), retrying: {Reason}")]
    private static partial void LogRetrying(ILogger logger, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "responses: dropped {Count} stored turns the database would not take: {Reason}")]
    private static partial void LogDropped(ILogger logger, int count, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "responses: purge failed, trying again in an hour: {Reason}")]
    private static partial void LogPurgeFailed(ILogger logger, string reason);
}
