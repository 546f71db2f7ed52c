namespace EdgeGw.Storage;

/// <summary>
/// Where the <see cref="SpendWriter"/> commits batches: the seam between the store-agnostic queue,
/// retry and bound (in the writer) and one database's SQL (SQLite today, PostgreSQL next).
/// </summary>
internal interface ISpendStore
{
    /// <summary>
    /// Writes every row and the newest state of every counter in <paramref name="batch"/> in one
    /// transaction, all or nothing, and returns the rows inserted. On failure it throws having
    /// written nothing: the writer retries the same batch, so a row must never land twice.
    /// Counter states carry a sequence and only a newer one may overwrite, so replaying them is safe;
    /// a store shared by replicas applies each state's change instead (amount added, window reset)
    /// and must itself count a batch whose commit outcome was lost once (PostgreSQL: txid_status).
    /// </summary>
    /// <param name="keepingUp">True while little is queued: the store may yield its core between rows.</param>
    int WriteBatch(IReadOnlyList<SpendWork> batch, Func<bool> keepingUp);

    /// <summary>
    /// How long the writer lets rows gather after the first before committing: what a commit costs beyond its rows
    /// (round trips, the server's per-transaction work) against what a SIGKILL may lose.
    /// </summary>
    TimeSpan CoalesceWindow => TimeSpan.FromMilliseconds(10);
}
