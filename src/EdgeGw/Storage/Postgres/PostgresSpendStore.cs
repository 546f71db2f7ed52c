using Npgsql;

namespace EdgeGw.Storage.Postgres;

/// <summary>
/// The spend writer's PostgreSQL side, minimal (the full one, with counter resets and admin spend
/// changes, comes with the spend work of issue 15): each batch's rows into <c>LiteLLM_SpendLogs</c>
/// and each row's cost added to the counters it moved, in one transaction. Work without a row
/// (budget-window resets, an admin's <c>spend</c>, rows dropped under <c>disable_spend_logs</c>) is not written yet.
/// </summary>
internal sealed class PostgresSpendStore(NpgsqlDataSource dataSource) : ISpendStore
{
    private readonly SpendRowJson _rowJson = new(); // the writer thread's only

    // The writer runs on its own thread, so waiting here holds no pool thread.
    public int WriteBatch(IReadOnlyList<SpendWork> batch, Func<bool> keepingUp) => WriteAsync(batch).GetAwaiter().GetResult();

    private async Task<int> WriteAsync(IReadOnlyList<SpendWork> batch)
    {
        var rows = new List<SpendRow>(batch.Count);
        var amounts = new List<(CounterTable, string, long)>();
        foreach (var work in batch)
        {
            if (work.Row is not { } row)
                continue;
            rows.Add(row);
            foreach (var counter in work.Counters)
                amounts.Add((counter.Table, counter.Id, row.SpendNanos));
        }
        if (rows.Count == 0)
            return 0;
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var inserted = await LiteLlmSpend.InsertLogsAsync(connection, tx, rows, _rowJson);
        await LiteLlmSpend.AddSpendAsync(connection, tx, amounts);
        await tx.CommitAsync();
        return inserted;
    }
}
