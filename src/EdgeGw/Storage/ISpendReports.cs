namespace EdgeGw.Storage;

/// <summary>
/// The reads behind <c>/spend/logs</c> and the spend reports, over whichever database holds the
/// spend rows. <c>groupColumn</c> is one of <c>model</c>, <c>model_group</c>, <c>user</c>,
/// <c>team_id</c>, <c>end_user</c> (a fixed name, never a user's text).
/// </summary>
internal interface ISpendReports
{
    /// <summary>Rows newest first, at most <paramref name="limit"/>, after skipping <paramref name="offset"/>.</summary>
    Task<List<SpendRow>> LogsAsync(SpendFilter filter, int limit, long offset = 0, CancellationToken cancel = default);

    /// <summary>How many rows match.</summary>
    Task<long> CountAsync(SpendFilter filter, CancellationToken cancel = default);

    /// <summary>The daily activity cells per <c>user</c> or <c>team_id</c> (<see cref="SpendActivity"/>'s order).</summary>
    Task<List<ActivityCell>> ActivityAsync(SpendFilter filter, string entityColumn, CancellationToken cancel = default);

    /// <summary>Totals grouped by <paramref name="groupColumn"/>, per UTC day when <paramref name="byDay"/>: days, then highest spend first.</summary>
    Task<List<SpendTotal>> TotalsAsync(SpendFilter filter, string groupColumn, bool byDay, int? limit = null, CancellationToken cancel = default);

    /// <summary>Sums per day (when <paramref name="byDay"/>), group, model and key; grouped by <c>team_id</c>, with the team's alias.</summary>
    Task<List<SpendCell>> BreakdownAsync(SpendFilter filter, string? groupColumn, bool byDay, CancellationToken cancel = default);
}
