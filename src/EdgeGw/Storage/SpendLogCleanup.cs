namespace EdgeGw.Storage;

/// <summary>
/// <c>general_settings.maximum_spend_logs_retention_period</c>: a background loop that deletes older
/// spend-log rows once at start and then every <c>maximum_spend_logs_retention_interval</c> (LiteLLM's
/// default: daily). It starts with the first config that sets a period (no timer otherwise) and follows reloads.
/// A failed run is logged and tried again at the next one: retention never touches a request.
/// </summary>
internal sealed partial class SpendLogCleanup(ISpendLogRetention store, TimeProvider time, ILogger logger) : IAsyncDisposable
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromDays(1);

    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private Periods _periods = new(null, null); // swapped whole by a reload, read whole by the loop

    private sealed record Periods(TimeSpan? Retention, TimeSpan? Interval);

    /// <summary>Takes the config's settings; the first with a period starts the loop.</summary>
    public void Configure(TimeSpan? retention, TimeSpan? interval)
    {
        Volatile.Write(ref _periods, new Periods(retention, interval));
        if (retention is not null && _loop is null && !_stop.IsCancellationRequested)
            _loop = Api.InlineIo.Run(LoopAsync);
    }

    /// <summary>Deletes rows older than <paramref name="retention"/> before now; returns how many.</summary>
    public async Task<long> RunOnceAsync(TimeSpan retention, CancellationToken cancel = default)
    {
        var deleted = await store.DeleteOlderThanAsync(time.GetUtcNow() - retention, cancel);
        if (deleted > 0)
            LogDeleted(logger, deleted, retention.TotalDays);
        return deleted;
    }

    private async Task LoopAsync()
    {
        var cancel = _stop.Token;
        while (!cancel.IsCancellationRequested)
        {
            var (retention, interval) = Volatile.Read(ref _periods);
            if (retention is { } period)
            {
                try
                {
                    await RunOnceAsync(period, cancel);
                }
                catch (OperationCanceledException) when (cancel.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is StoreException or StoreUnavailableException or Microsoft.Data.Sqlite.SqliteException or Npgsql.NpgsqlException or TimeoutException)
                {
                    LogFailed(logger, e.Message);
                }
            }
            try
            {
                await Task.Delay(interval ?? DefaultInterval, time, cancel);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is { } loop)
            await loop;
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "spend logs: deleted {Count} rows older than {Days:0.##} days (maximum_spend_logs_retention_period)")]
    private static partial void LogDeleted(ILogger logger, long count, double days);

    [LoggerMessage(Level = LogLevel.Warning, Message = "spend logs: retention run failed, trying again at the next interval: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
