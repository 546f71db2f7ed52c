namespace EdgeGw.Storage;

/// <summary>Retention on EdgeGw's <c>spend_logs</c>: batches of 1,000 by the <c>start_time</c> index, the connection released between them.</summary>
internal sealed class SqliteSpendLogRetention(SqliteStore store, int batchSize = SqliteSpendLogRetention.BatchSize, int maxBatches = 1000) : ISpendLogRetention
{
    public const int BatchSize = 1000;

    public Task<long> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancel = default)
    {
        long deleted = 0;
        for (var i = 0; i < maxBatches && !cancel.IsCancellationRequested; i++)
        {
            var n = store.Run(c =>
            {
                using var command = Sql.Command(c, """
                    DELETE FROM spend_logs WHERE row_id IN (SELECT row_id FROM spend_logs WHERE start_time < @cutoff LIMIT @n)
                    """);
                command.Add("@cutoff", cutoff.ToUnixTimeMilliseconds());
                command.Add("@n", batchSize);
                return command.ExecuteNonQuery();
            });
            deleted += n;
            if (n < batchSize)
                break;
        }
        return Task.FromResult(deleted);
    }
}
