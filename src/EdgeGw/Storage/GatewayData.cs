using EdgeGw.Auth;
using EdgeGw.Spend;

namespace EdgeGw.Storage;

/// <summary>
/// The database and everything kept from it for the process's life (across config reloads): the
/// store, the key/team/user cache, the spend writer and the ledger.
/// </summary>
internal sealed class GatewayData : IAsyncDisposable
{
    private int _disposed;

    private GatewayData(SqliteStore store, Accounts accounts, SpendWriter writer, TimeProvider time)
    {
        Store = store;
        Accounts = accounts;
        Writer = writer;
        Ledger = new SpendLedger(accounts, writer, time);
    }

    public SqliteStore Store { get; }
    public Accounts Accounts { get; }
    public SpendWriter Writer { get; }
    public SpendLedger Ledger { get; }
    public TimeProvider Time => Ledger.Time;

    /// <summary>Opens and migrates <paramref name="path"/> and loads the cache; <see cref="StoreException"/> when it cannot.</summary>
    public static GatewayData Open(string path, TimeProvider time, ILoggerFactory loggers)
    {
        var store = SqliteStore.Open(path);
        try
        {
            var accounts = new Accounts();
            AccountTables.LoadInto(store, accounts);
            TeamMemberTable.LoadInto(store, accounts);
            var writer = new SpendWriter(new SqliteSpendStore(store), loggers.CreateLogger("EdgeGw.SpendWriter"), SpendQueueBound.FromEnvironment());
            return new GatewayData(store, accounts, writer, time);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>Drains the spend writer, then closes the database. Safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await Writer.DisposeAsync();
        Store.Dispose();
    }
}
