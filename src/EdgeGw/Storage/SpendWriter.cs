using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace EdgeGw.Storage;

/// <summary>
/// The one background writer of spend rows and counter states. Requests hand it work through a
/// bounded channel (waiting only when the database falls 64K requests behind); it commits each
/// batch — whatever queued up within 10 ms of the first item, up to 2,048 items — in one
/// transaction, so nothing waits more than ~10 ms plus one commit (well under the promised 250 ms). On shutdown the channel is completed and drained: nothing accepted is lost.
/// </summary>
internal sealed partial class SpendWriter : IAsyncDisposable
{
    private const int MaxBatch = 2048;
    private const int YieldEveryRows = 8;
    private const int KeepingUp = 256; // rows queued behind the batch being written
    private static readonly TimeSpan CoalesceWindow = TimeSpan.FromMilliseconds(10);
    private readonly Channel<SpendWork> _channel = Channel.CreateBounded<SpendWork>(
        new BoundedChannelOptions(65536) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly SqliteStore _store;
    private readonly ILogger _logger;
    private readonly Task _loop;
    private long _rows;
    private long _batches;
    private readonly SpendRowJson _rowJson = new(); // the writer thread's only

    public SpendWriter(SqliteStore store, ILogger logger)
    {
        _store = store;
        _logger = logger;
        // Its own thread, not the pool's: under load the pool is busy with requests, and a writer
        // queued behind them falls behind (a SIGKILL test lost every row that way).
        _loop = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Rows committed since start (observable by tests and benchmarks).</summary>
    public long CommittedRows => Interlocked.Read(ref _rows);
    public long CommittedBatches => Interlocked.Read(ref _batches);

    public ValueTask EnqueueAsync(SpendWork work)
    {
        if (_channel.Writer.TryWrite(work))
            return ValueTask.CompletedTask;
        return WriteSlowAsync(work);
    }

    private async ValueTask WriteSlowAsync(SpendWork work)
    {
        try
        {
            await _channel.Writer.WriteAsync(work);
        }
        catch (ChannelClosedException)
        {
            LogAfterShutdown(_logger, work.Row?.RequestId ?? "-");
        }
    }

    /// <summary>Completes when everything enqueued before the call is committed.</summary>
    public Task FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_channel.Writer.TryWrite(new SpendWork { Flushed = done }))
            return _loop.IsCompleted ? Task.CompletedTask : WriteFlushSlowAsync(done);
        return done.Task;
    }

    private async Task WriteFlushSlowAsync(TaskCompletionSource done)
    {
        try
        {
            await _channel.Writer.WriteAsync(new SpendWork { Flushed = done });
        }
        catch (ChannelClosedException)
        {
            return;
        }
        await done.Task;
    }

    private void Run()
    {
        var batch = new List<SpendWork>(MaxBatch);
        var reader = _channel.Reader;
        // Blocking waits on this thread: a producer's write wakes it directly, with no pool hop.
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            // Under load, let a burst gather so one transaction carries many rows rather than one
            // per request (which costs a core at a few thousand requests a second); this bounds
            // what a SIGKILL can lose to about one coalescing window.
            if (reader.Count < MaxBatch)
                Thread.Sleep(CoalesceWindow);
            batch.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out var work))
                batch.Add(work);
            Commit(batch);
        }
    }

    private void Commit(List<SpendWork> batch)
    {
        var started = Stopwatch.GetTimestamp();
        var rows = 0;
        try
        {
            _store.InTransaction((connection, tx) => rows = Write(connection, tx, batch, _channel.Reader, _rowJson));
            Interlocked.Add(ref _rows, rows);
            Interlocked.Increment(ref _batches);
            LogCommitted(_logger, rows, batch.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e) when (e is SqliteException or ObjectDisposedException or InvalidOperationException)
        {
            LogCommitFailed(_logger, e, batch.Count);
        }
        foreach (var work in batch)
            work.Flushed?.TrySetResult();
    }

    private static int Write(SqliteConnection connection, SqliteTransaction tx, List<SpendWork> batch, ChannelReader<SpendWork> queue, SpendRowJson rowJson)
    {
        using var insert = new RawStatement(connection, """
            INSERT INTO spend_logs (request_id, call_type, api_key, spend, total_tokens, prompt_tokens, completion_tokens,
              start_time, end_time, model, model_group, model_id, api_base, user, team_id, metadata, cache_hit, status,
              end_user, request_tags, custom_llm_provider)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)
            """);
        var latest = new Dictionary<(CounterTable, string), Spend.CounterState>();
        var rows = 0;
        foreach (var work in batch)
        {
            foreach (var update in work.Counters)
            {
                if (!latest.TryGetValue((update.Table, update.Id), out var seen) || seen.Sequence < update.State.Sequence)
                    latest[(update.Table, update.Id)] = update.State;
            }
            if (work.Row is not { } row)
                continue;
            insert.Bind(1, row.RequestId);
            insert.Bind(2, row.CallType);
            insert.Bind(3, row.ApiKey);
            insert.Bind(4, row.SpendNanos);
            insert.Bind(5, row.TotalTokens);
            insert.Bind(6, row.PromptTokens);
            insert.Bind(7, row.CompletionTokens);
            insert.Bind(8, row.StartTime.ToUnixTimeMilliseconds());
            insert.Bind(9, row.EndTime.ToUnixTimeMilliseconds());
            insert.Bind(10, row.Model);
            insert.Bind(11, row.ModelGroup);
            insert.Bind(12, row.ModelId);
            insert.Bind(13, row.ApiBase);
            insert.Bind(14, row.User);
            insert.Bind(15, row.TeamId);
            insert.BindUtf8(16, rowJson.Metadata(row));
            insert.Bind(17, row.CacheHit ? 1 : 0);
            insert.Bind(18, row.Status);
            insert.Bind(19, row.EndUser);
            insert.BindUtf8(20, rowJson.Tags(row));
            insert.Bind(21, row.Provider);
            rows += insert.Execute();
            // A batch takes ~13 µs a row; run whole, it held a core for milliseconds and every
            // request waiting behind it on that core paid them (p99 at 1 connection 1.3–1.6 ms →
            // 0.6–0.8 ms with this yield; README). Only while the writer keeps up: on saturated
            // cores each yield can cost a time slice, and a writer that falls behind widens what a
            // SIGKILL loses.
            if (rows % YieldEveryRows == 0 && queue.Count < KeepingUp)
                Thread.Yield();
        }
        foreach (var ((table, id), state) in latest)
            WriteCounter(connection, tx, table, id, state);
        return rows;
    }

    // Only a newer state wins: work may reach the channel in another order than its counters moved.
    private static void WriteCounter(SqliteConnection connection, SqliteTransaction tx, CounterTable table, string id, Spend.CounterState state)
    {
        var (name, column) = table switch
        {
            CounterTable.Key => ("keys", "token"),
            CounterTable.Team => ("teams", "team_id"),
            CounterTable.User => ("users", "user_id"),
            CounterTable.TeamMember => ("team_members", "member_id"),
            _ => ("global_spend", "id"),
        };
        using var command = Sql.Command(connection,
            $"UPDATE {name} SET spend = @spend, budget_reset_at = @reset, spend_seq = @seq WHERE {column} = @id AND spend_seq < @seq", tx);
        command.Add("@spend", state.Nanos);
        command.Add("@reset", state.ResetAtMs == 0 ? null : state.ResetAtMs);
        command.Add("@seq", state.Sequence);
        command.Add("@id", table == CounterTable.Global ? 1 : id);
        command.ExecuteNonQuery();
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _loop;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "spend writer: committed {Rows} rows ({Items} items) in {Ms:0.###} ms")]
    private static partial void LogCommitted(ILogger logger, int rows, int items, double ms);

    [LoggerMessage(Level = LogLevel.Error, Message = "spend writer: a batch of {Items} items could not be committed")]
    private static partial void LogCommitFailed(ILogger logger, Exception exception, int items);

    [LoggerMessage(Level = LogLevel.Warning, Message = "spend writer: request {RequestId} finished after shutdown; its spend row was not stored")]
    private static partial void LogAfterShutdown(ILogger logger, string requestId);
}
