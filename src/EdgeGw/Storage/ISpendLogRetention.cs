namespace EdgeGw.Storage;

/// <summary>
/// Deletes spend-log rows that started before a cutoff (<c>maximum_spend_logs_retention_period</c>),
/// in short bounded batches so the spend writer and the reports never wait long behind it. Key, team,
/// user and proxy spend totals and the daily aggregates are left as they are.
/// </summary>
internal interface ISpendLogRetention
{
    /// <summary>Returns the rows deleted.</summary>
    Task<long> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancel = default);
}
