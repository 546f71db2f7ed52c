namespace EdgeGw.Storage;

/// <summary>The spend reports over the embedded database (<see cref="SpendQueries"/>, exact integer nano-dollars).</summary>
internal sealed class SqliteSpendReports(SqliteStore store) : ISpendReports
{
    public Task<List<SpendRow>> LogsAsync(SpendFilter filter, int limit, long offset = 0, CancellationToken cancel = default) =>
        Task.FromResult(SpendQueries.Logs(store, filter, limit, offset));

    public Task<long> CountAsync(SpendFilter filter, CancellationToken cancel = default) =>
        Task.FromResult(SpendQueries.Count(store, filter));

    public Task<List<ActivityCell>> ActivityAsync(SpendFilter filter, string entityColumn, CancellationToken cancel = default) =>
        Task.FromResult(SpendActivity.Query(store, filter, entityColumn));

    public Task<List<SpendTotal>> TotalsAsync(SpendFilter filter, string groupColumn, bool byDay, int? limit = null, CancellationToken cancel = default) =>
        Task.FromResult(SpendQueries.Totals(store, filter, groupColumn, byDay, limit));

    public Task<List<SpendCell>> BreakdownAsync(SpendFilter filter, string? groupColumn, bool byDay, CancellationToken cancel = default) =>
        Task.FromResult(SpendQueries.Breakdown(store, filter, groupColumn, byDay));
}
