namespace EdgeGw.Storage;

/// <summary>
/// How replicas sharing one database tell each other which accounts an admin write changed: PostgreSQL's
/// LISTEN/NOTIFY today, Redis pub/sub later. Every replica, the writer included, hears each change and
/// reloads that row (idempotent); a transport that may have missed changes (a dropped connection) says so
/// and the cache reloads everything.
/// </summary>
internal interface IAccountChanges : IAsyncDisposable
{
    /// <summary>Announces changes already committed; a failure is logged, not thrown (the write stands, other replicas catch up on their next full reload).</summary>
    Task PublishAsync(IReadOnlyCollection<AccountChange> changes);

    /// <summary>Starts delivering changes to <paramref name="sink"/> until disposed.</summary>
    void Start(IAccountChangeSink sink);
}

/// <summary>What a replica does with the changes it hears.</summary>
internal interface IAccountChangeSink
{
    Task ChangedAsync(AccountChange change, CancellationToken cancel);

    /// <summary>Changes may have been missed (first connect, reconnect): reload everything.</summary>
    Task ReloadAllAsync(CancellationToken cancel);
}
