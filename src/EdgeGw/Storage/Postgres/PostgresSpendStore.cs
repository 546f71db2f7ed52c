using Npgsql;

namespace EdgeGw.Storage.Postgres;

/// <summary>
/// The spend writer's PostgreSQL side, on LiteLLM's tables: per batch, one transaction holding the
/// <c>LiteLLM_SpendLogs</c> rows (one multi-row insert), the daily aggregates and the counter
/// changes (added, never overwritten, so every replica's spend counts).
/// </summary>
/// <remarks>
/// A retried batch must not count twice. A batch that failed before its commit rolled back, but a
/// commit whose answer was lost (connection cut mid-COMMIT) may have landed. So each transaction
/// notes its id (<c>txid_current()</c>); when the writer retries after a failure — the same items at
/// the head of the next batch, in order — the store first asks the server what became of that
/// transaction (<c>txid_status</c>): committed, those items are skipped; aborted (or too old to
/// know), they are written again; still in progress, the retry waits. Keying on request ids
/// instead would not do: a client can send its own call id, and a repeated one would then go unbilled.
/// </remarks>
internal sealed class PostgresSpendStore(NpgsqlDataSource dataSource) : ISpendStore
{
    private readonly SpendRowJson _rowJson = new(); // the writer thread's only
    private LiteLlmDailySpend? _daily;
    private Attempt? _unknown;

    /// <summary>A failed commit whose outcome the next batch resolves: its transaction and the items it held.</summary>
    private sealed record Attempt(long TransactionId, SpendWork First, int Count, int Rows);

    public int WriteBatch(IReadOnlyList<SpendWork> batch, Func<bool> keepingUp)
    {
        var works = batch.Where(w => w.Flushed is null).ToList();
        if (works.Count == 0)
            return 0;
        using var connection = dataSource.OpenConnection();
        var skipped = SkipCommitted(connection, works);
        if (skipped.Count == works.Count)
            return skipped.Rows;
        var pending = skipped.Count == 0 ? works : works.GetRange(skipped.Count, works.Count - skipped.Count);
        var rows = new List<SpendRow>(pending.Count);
        var logged = new List<SpendRow>(pending.Count);
        foreach (var work in pending)
        {
            if (work.Row is not { } row)
                continue;
            rows.Add(row);
            if (work.StoresRow)
                logged.Add(row);
        }
        long transactionId = 0;
        try
        {
            using var tx = connection.BeginTransaction();
            using (var id = new NpgsqlCommand("SELECT txid_current()", connection, tx))
                transactionId = (long)id.ExecuteScalar()!;
            var inserted = LiteLlmSpend.InsertLogs(connection, tx, logged, _rowJson);
            (_daily ??= LiteLlmDailySpend.Discover(connection, tx)).Add(connection, tx, rows, _rowJson);
            LiteLlmCounterChanges.Apply(connection, tx, pending.SelectMany(w => w.Counters));
            tx.Commit();
            return skipped.Rows + inserted;
        }
        catch when (transactionId != 0)
        {
            _unknown = new Attempt(transactionId, pending[0], pending.Count, logged.Count);
            throw;
        }
    }

    /// <summary>How many items at the batch's head the last failed commit stored after all, and their rows.</summary>
    private (int Count, int Rows) SkipCommitted(NpgsqlConnection connection, List<SpendWork> works)
    {
        if (_unknown is not { } attempt)
            return (0, 0);
        if (works.Count < attempt.Count || !ReferenceEquals(works[0], attempt.First))
        {
            _unknown = null;
            return (0, 0);
        }
        using var command = new NpgsqlCommand("SELECT txid_status(@id)", connection);
        command.Parameters.Add(new NpgsqlParameter("id", attempt.TransactionId));
        var status = command.ExecuteScalar() as string;
        if (status == "in progress")
            throw new StoreException("the last spend batch's commit is still in progress on the server; retrying once it has ended");
        _unknown = null;
        return status == "committed" ? (attempt.Count, attempt.Rows) : (0, 0);
    }
}
