using Npgsql;

namespace EdgeGw.Storage.Postgres;

/// <summary>Retention on <c>LiteLLM_SpendLogs</c> through <see cref="SpendLogRetention"/> (one replica at a time).</summary>
internal sealed class PostgresSpendLogRetention(NpgsqlDataSource source) : ISpendLogRetention
{
    public Task<long> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancel = default) =>
        SpendLogRetention.DeleteOlderThanAsync(source, cutoff, cancel: cancel);
}
