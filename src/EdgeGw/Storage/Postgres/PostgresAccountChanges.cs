using System.Collections.Concurrent;
using Npgsql;

namespace EdgeGw.Storage.Postgres;

/// <summary>
/// Account changes over PostgreSQL's LISTEN/NOTIFY on channel <c>edgegw_accounts</c>: one dedicated
/// connection per replica listens; a dropped connection is reopened with back-off and, since NOTIFY is
/// not queued for a listener that is away, the cache then reloads everything. An idle connection is
/// probed every second so a silent drop is found within about a second.
/// </summary>
internal sealed partial class PostgresAccountChanges(NpgsqlDataSource source, DatabaseUrl url, ILogger logger) : IAccountChanges
{
    // Its own pool: the listener holds its connection for the process's life, which must not cost the shared pool a slot (connection_limit=1 would starve).
    private readonly NpgsqlDataSource _listenSource = PostgresStore.Build(url);
    public const string Channel = "edgegw_accounts";
    private static readonly TimeSpan Probe = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(4);

    private readonly CancellationTokenSource _stop = new();
    private Task _listening = Task.CompletedTask;

    public async Task PublishAsync(IReadOnlyCollection<AccountChange> changes)
    {
        if (changes.Count == 0)
            return;
        try
        {
            await using var command = source.CreateCommand($"SELECT pg_notify('{Channel}', p) FROM unnest(@payloads) p");
            command.Add("payloads", changes.Select(c => c.ToPayload()).ToArray());
            await command.ExecuteNonQueryAsync(_stop.Token);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            LogPublishFailed(logger, PostgresFailure.Reason(e));
        }
    }

    public void Start(IAccountChangeSink sink) => _listening = Api.InlineIo.Run(() => ListenAsync(sink, _stop.Token));

    private async Task ListenAsync(IAccountChangeSink sink, CancellationToken cancel)
    {
        var delay = FirstRetry;
        while (!cancel.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _listenSource.OpenConnectionAsync(cancel);
                var heard = new ConcurrentQueue<string>();
                connection.Notification += (_, e) => heard.Enqueue(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                    await listen.ExecuteNonQueryAsync(cancel);
                // Listening before the reload: a change committed during it is heard afterwards, not lost.
                await sink.ReloadAllAsync(cancel);
                delay = FirstRetry;
                while (true)
                {
                    while (heard.TryDequeue(out var payload))
                    {
                        if (AccountChange.TryParse(payload, out var change))
                            await sink.ChangedAsync(change, cancel);
                    }
                    if (!await connection.WaitAsync(Probe, cancel))
                    {
                        await using var probe = new NpgsqlCommand("SELECT 1", connection);
                        await probe.ExecuteScalarAsync(cancel);
                    }
                }
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Whatever broke (the connection, a reload, a row LiteLLM wrote oddly), listening resumes: stopping would freeze this replica's cache.
                LogListenFailed(logger, PostgresFailure.Reason(e), delay.TotalSeconds);
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

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _listening;
        await _listenSource.DisposeAsync();
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "database: announcing an account change failed ({Reason}); other replicas see it after their next reconnect")]
    private static partial void LogPublishFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "database: listening for account changes failed ({Reason}); reconnecting in {Delay} s, then reloading all accounts")]
    private static partial void LogListenFailed(ILogger logger, string reason, double delay);
}
