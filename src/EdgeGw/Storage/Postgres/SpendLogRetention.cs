using Npgsql;
using static EdgeGw.Storage.Postgres.LiteLlmValues;

namespace EdgeGw.Storage.Postgres;

/// <summary>
/// <c>general_settings.maximum_spend_logs_retention_period</c> on PostgreSQL, as LiteLLM's spend-log
/// cleanup: <c>LiteLLM_SpendLogs</c> rows whose <c>startTime</c> is older than the period are deleted
/// in small batches (1,000 rows, each its own short transaction, so neither the spend writer nor
/// the reports wait behind one long delete), bounded per run; one replica at a time (an advisory
/// lock; the others skip the run). Key, team and user spend and the daily aggregates stay.
/// </summary>
internal static class SpendLogRetention
{
    public const int BatchSize = 1000;
    private const long LockKey = 0x4564_6765_4777_5252; // distinct from the schema lock

    /// <summary>Deletes rows started before <paramref name="cutoff"/>; returns how many (0 when another replica holds the run).</summary>
    public static async Task<long> DeleteOlderThanAsync(NpgsqlDataSource source, DateTimeOffset cutoff, int batchSize = BatchSize, int maxBatches = 1000,
        CancellationToken cancel = default)
    {
        await using var connection = await source.OpenConnectionAsync(cancel);
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_try_advisory_lock({LockKey})", connection))
        {
            if (await lockCommand.ExecuteScalarAsync(cancel) is not true)
                return 0;
        }
        try
        {
            long deleted = 0;
            for (var i = 0; i < maxBatches; i++)
            {
                await using var command = new NpgsqlCommand("""
                    WITH old AS (SELECT request_id FROM "LiteLLM_SpendLogs" WHERE "startTime" < @cutoff LIMIT @n FOR UPDATE SKIP LOCKED)
                    DELETE FROM "LiteLLM_SpendLogs" s USING old WHERE s.request_id = old.request_id
                    """, connection);
                command.Add("cutoff", Timestamp(cutoff));
                command.Add("n", batchSize);
                var n = await command.ExecuteNonQueryAsync(cancel);
                deleted += n;
                if (n < batchSize)
                    break;
            }
            return deleted;
        }
        finally
        {
            await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({LockKey})", connection);
            await unlock.ExecuteScalarAsync(CancellationToken.None);
        }
    }
}
