using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;

namespace EdgeGw.Storage;

/// <summary>
/// The one background writer of spend rows and counter states, above any one database. Requests
/// hand it work through a channel; it commits each batch — whatever queued up within the store's
/// <see cref="ISpendStore.CoalesceWindow"/> of the first item (SQLite 10 ms, PostgreSQL 50 ms), up to 2,048
/// items — in one transaction, so nothing waits more than that plus one commit (well under the promised
/// 250 ms). On shutdown the channel is completed and drained.
/// </summary>
/// <remarks>
/// When a commit fails (disk full, I/O error, database gone) the batch is kept and retried after a
/// jittered back-off (0.1 s doubling to 2 s) until it lands; work arriving meanwhile queues behind
/// it in memory. The store writes a batch all or nothing, so a retry never doubles a row, and
/// counter states only overwrite older ones. Past <see cref="MaxQueuedRows"/> new model requests
/// are refused (<see cref="Spend.SpendRecording"/>) — or, with <c>allow_requests_on_db_unavailable</c>,
/// served with their rows dropped and counted while their counters still land.
/// </remarks>
internal sealed partial class SpendWriter : IAsyncDisposable
{
    /// <summary>Rows held in memory while the database cannot be written (~0.5 KB each, so ~50 MB).</summary>
    public const int DefaultMaxQueuedRows = 100_000;
    private const int MaxBatch = 2048;
    private const int KeepingUp = 256; // items queued behind the batch being written
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(2);
    /// <summary>How long shutdown keeps retrying a failing database before giving the queue up (logged).</summary>
    private static readonly TimeSpan ShutdownRetries = TimeSpan.FromSeconds(5);
    // Not SingleReader: that variant cannot count its items, and the writer's pacing reads the count.
    private readonly Channel<SpendWork> _channel = Channel.CreateUnbounded<SpendWork>();
    private readonly ISpendStore _store;
    private readonly ILogger _logger;
    private readonly Task _loop;
    private readonly Func<bool> _keepingUp;
    private readonly SemaphoreSlim _wake = new(0);
    // Counters of requests whose rows were dropped past the bound: only each one's newest state is kept.
    private readonly ConcurrentDictionary<(CounterTable Table, string Id), Spend.CounterState> _overflow = new();
    private long _rows;
    private long _batches;
    private long _queued;
    private long _failedCommits;
    private long _droppedRows;
    private long _refusals;
    private long _shutdownAt;
    private volatile bool _failing;

    public SpendWriter(ISpendStore store, ILogger logger, int maxQueuedRows = DefaultMaxQueuedRows)
    {
        _store = store;
        _logger = logger;
        MaxQueuedRows = maxQueuedRows;
        _keepingUp = () => _channel.Reader.Count < KeepingUp;
        // Its own thread, not the pool's: under load the pool is busy with requests, and a writer
        // queued behind them falls behind (a SIGKILL test lost every row that way).
        _loop = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Rows committed since start (observable by tests and benchmarks).</summary>
    public long CommittedRows => Interlocked.Read(ref _rows);
    public long CommittedBatches => Interlocked.Read(ref _batches);
    /// <summary>Rows and counter updates accepted and not yet committed.</summary>
    public long QueuedRows => Interlocked.Read(ref _queued);
    /// <summary>Commits that failed (each is retried).</summary>
    public long FailedCommits => Interlocked.Read(ref _failedCommits);
    /// <summary>Rows not stored: the queue was full and <c>allow_requests_on_db_unavailable</c> served the request anyway.</summary>
    public long DroppedRows => Interlocked.Read(ref _droppedRows);
    /// <summary>Model requests refused because their spend could not be recorded.</summary>
    public long Refusals => Interlocked.Read(ref _refusals);
    /// <summary>True from a failed commit until the next one that succeeds.</summary>
    public bool Failing => _failing;
    /// <summary>The bound on <see cref="QueuedRows"/> past which new requests are refused (or their rows dropped).</summary>
    public int MaxQueuedRows { get; set; }
    /// <summary><c>allow_requests_on_db_unavailable</c>: past the bound, drop rows (counted) rather than refuse requests.</summary>
    public bool DropRowsWhenFull { get; set; }
    public bool IsFull => QueuedRows >= MaxQueuedRows;

    public void Refused() => Interlocked.Increment(ref _refusals);

    public ValueTask EnqueueAsync(SpendWork work)
    {
        if (work is SpendRow && DropRowsWhenFull && IsFull)
        {
            Drop(work);
            return ValueTask.CompletedTask;
        }
        Interlocked.Increment(ref _queued);
        if (_channel.Writer.TryWrite(work))
            return ValueTask.CompletedTask;
        Interlocked.Decrement(ref _queued);
        LogAfterShutdown(_logger, (work as SpendRow)?.RequestId ?? "-");
        return ValueTask.CompletedTask;
    }

    // The row goes; the budget it moved stays: its counters' newest states (and the amounts added,
    // summed, for a store that adds rather than overwrites) are written with the next batch.
    private void Drop(SpendWork work)
    {
        foreach (var update in work.Counters)
        {
            var key = (update.Table, update.Id);
            for (var attempt = 0; attempt < 64; attempt++)
            {
                if (_overflow.TryGetValue(key, out var seen))
                {
                    if (_overflow.TryUpdate(key, Spend.CounterState.MergeAdded(seen, update.State), seen))
                        break;
                }
                else if (_overflow.TryAdd(key, update.State))
                {
                    break;
                }
            }
        }
        var dropped = Interlocked.Increment(ref _droppedRows);
        if (dropped == 1 || dropped % 1000 == 0)
            LogDropped(_logger, dropped, QueuedRows);
    }

    /// <summary>
    /// Completes when everything enqueued before the call is committed; fails with
    /// <see cref="StoreUnavailableException"/> while the database cannot be written (a report read
    /// now would miss the queued rows).
    /// </summary>
    public Task FlushAsync()
    {
        if (_failing)
            return Task.FromException(Unavailable());
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_channel.Writer.TryWrite(new SpendWork { Flushed = done }))
            return _loop;
        return done.Task;
    }

    private StoreUnavailableException Unavailable() =>
        new($"the database cannot be written: {QueuedRows} spend rows are waiting in memory to be stored");

    private void Run()
    {
        var pending = new List<SpendWork>();
        var batch = new List<SpendWork>(MaxBatch);
        var reader = _channel.Reader;
        var failures = 0;
        while (true)
        {
            if (pending.Count == 0)
            {
                // Blocking waits on this thread; the channel completes the wait through a pool worker (README "What each change bought", ninth session).
                if (!reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                    return;
                // Under load, let a burst gather so one transaction carries many rows rather than one
                // per request (which costs a core at a few thousand requests a second); this bounds
                // what a SIGKILL can lose to about one coalescing window.
                if (reader.Count < MaxBatch)
                    Thread.Sleep(_store.CoalesceWindow);
            }
            while (reader.TryRead(out var work))
            {
                if (work.Flushed is { } flushed && _failing)
                    flushed.TrySetException(Unavailable());
                else
                    pending.Add(work);
            }
            TakeOverflow(pending);
            batch.Clear();
            for (var i = 0; i < pending.Count && batch.Count < MaxBatch; i++)
                batch.Add(pending[i]);
            if (Commit(batch, failures))
            {
                pending.RemoveRange(0, batch.Count);
                failures = 0;
                continue;
            }
            failures++;
            // Readers waiting for this batch learn now that it is not stored; its rows stay queued.
            pending.RemoveAll(static w => w.Flushed is { } f && f.TrySetException(
                new StoreUnavailableException("the database cannot be written: spend rows are waiting in memory to be stored")));
            if (ShouldGiveUp(pending))
                return;
            WaitBeforeRetry(failures);
        }
    }

    private void TakeOverflow(List<SpendWork> pending)
    {
        if (_overflow.IsEmpty)
            return;
        var counters = new List<CounterUpdate>();
        foreach (var key in _overflow.Keys)
        {
            if (_overflow.TryRemove(key, out var state))
                counters.Add(new CounterUpdate(key.Table, key.Id, state));
        }
        Interlocked.Increment(ref _queued);
        pending.Add(new SpendWork { Counters = [.. counters] });
    }

    private bool Commit(List<SpendWork> batch, int failures)
    {
        var started = Stopwatch.GetTimestamp();
        int rows;
        try
        {
            rows = _store.WriteBatch(batch, _keepingUp);
        }
#pragma warning disable CA1031 // any failure of the database keeps the batch for a retry: dropping it would unbill
        catch (Exception e)
#pragma warning restore CA1031
        {
            _failing = true;
            Interlocked.Increment(ref _failedCommits);
            if (failures % 30 == 0)
                LogCommitFailed(_logger, e, batch.Count, QueuedRows, failures + 1);
            return false;
        }
        var items = 0;
        foreach (var work in batch)
        {
            if (work.Flushed is { } flushed)
                flushed.TrySetResult();
            else
                items++;
        }
        Interlocked.Add(ref _queued, -items);
        Interlocked.Add(ref _rows, rows);
        Interlocked.Increment(ref _batches);
        if (_failing)
        {
            _failing = false;
            LogRecovered(_logger, failures, QueuedRows);
        }
        LogCommitted(_logger, rows, batch.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return true;
    }

    // At shutdown a database that stays broken cannot hold the process forever: what is left is logged.
    private bool ShouldGiveUp(List<SpendWork> pending)
    {
        var shutdownAt = Interlocked.Read(ref _shutdownAt);
        if (shutdownAt == 0 || Stopwatch.GetElapsedTime(shutdownAt) < ShutdownRetries)
            return false;
        var rows = pending.Count(w => w is SpendRow);
        LogLost(_logger, rows);
        return true;
    }

    private void WaitBeforeRetry(int failures)
    {
        var ceiling = Math.Min(LongestRetry.TotalMilliseconds, FirstRetry.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 10)));
        // Full jitter over the upper half: replicas retrying one shared database do not retry in step.
        var delay = TimeSpan.FromMilliseconds(ceiling * (0.5 + (Random.Shared.NextDouble() / 2)));
        _wake.Wait(delay);
    }

    public async ValueTask DisposeAsync()
    {
        Interlocked.CompareExchange(ref _shutdownAt, Stopwatch.GetTimestamp(), 0);
        _channel.Writer.TryComplete();
        _wake.Release();
        await _loop;
        _wake.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "spend writer: committed {Rows} rows ({Items} items) in {Ms:0.###} ms")]
    private static partial void LogCommitted(ILogger logger, int rows, int items, double ms);

    [LoggerMessage(Level = LogLevel.Error, Message = "spend writer: a batch of {Items} items could not be committed ({Queued} waiting in memory, attempt {Attempt}); retrying")]
    private static partial void LogCommitFailed(ILogger logger, Exception exception, int items, long queued, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "spend writer: the database accepts writes again after {Failures} failed attempts; {Queued} items still queued")]
    private static partial void LogRecovered(ILogger logger, int failures, long queued);

    [LoggerMessage(Level = LogLevel.Error, Message = "spend writer: {Dropped} spend rows dropped so far ({Queued} queued, the bound): allow_requests_on_db_unavailable serves requests whose rows cannot be stored; key, team and user spend still count")]
    private static partial void LogDropped(ILogger logger, long dropped, long queued);

    [LoggerMessage(Level = LogLevel.Critical, Message = "spend writer: shutting down with the database still failing; {Rows} spend rows were not stored")]
    private static partial void LogLost(ILogger logger, int rows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "spend writer: request {RequestId} finished after shutdown; its spend row was not stored")]
    private static partial void LogAfterShutdown(ILogger logger, string requestId);
}
