using EdgeGw.Auth;
using EdgeGw.Spend;
using EdgeGw.Storage.Postgres;

namespace EdgeGw.Storage;

/// <summary>
/// The database and everything kept from it for the process's life (across config reloads): the
/// account store, the key/team/user cache, the spend writer and the ledger.
/// </summary>
internal sealed partial class GatewayData : IAsyncDisposable
{
    private readonly SqliteStore? _sqlite;
    private readonly IAsyncDisposable _database;
    private readonly IAsyncDisposable[] _replicaSync;
    private int _disposed;

    private GatewayData(IAccountStore accountStore, ISpendReports spendReports, Accounts accounts, SpendWriter writer, TimeProvider time,
        IAsyncDisposable database, string description, SqliteStore? sqlite, SpendLogCleanup logCleanup, params IAsyncDisposable[] replicaSync)
    {
        LogCleanup = logCleanup;
        _replicaSync = replicaSync;
        AccountStore = accountStore;
        SpendReports = spendReports;
        Accounts = accounts;
        Writer = writer;
        Ledger = new SpendLedger(accounts, writer, time);
        Description = description;
        _database = database;
        _sqlite = sqlite;
    }

    public IAccountStore AccountStore { get; }
    /// <summary>Responses API turns (<c>previous_response_id</c>, GET/DELETE/input_items); set up by <see cref="Open(DatabaseChoice, TimeProvider, ILoggerFactory, Shared.RedisConnection?)"/>.</summary>
    public ResponseStore Responses { get; private init; } = null!;
    /// <summary>Models added at run time (<c>/model/new</c>): <c>LiteLLM_ProxyModelTable</c> on PostgreSQL, <c>proxy_models</c> in SQLite.</summary>
    public IModelStore Models { get; private init; } = null!;
    /// <summary>Credentials stored through <c>/credentials</c>: <c>LiteLLM_CredentialsTable</c> on PostgreSQL, <c>credentials</c> in SQLite.</summary>
    public ICredentialStore Credentials { get; private init; } = null!;
    /// <summary>How admin changes reach other replicas (Redis pub/sub when configured, else PostgreSQL NOTIFY); null on SQLite (one process).</summary>
    public IAccountChanges? AccountChanges { get; private init; }
    /// <summary>Reloads of the database models that other replicas' changes ask for; null on SQLite (one process).</summary>
    public ModelReloads? ModelReloads { get; private init; }
    /// <summary>Where the admin spend routes read: EdgeGw's table on SQLite, <c>LiteLLM_SpendLogs</c> on PostgreSQL.</summary>
    public ISpendReports SpendReports { get; }
    public Accounts Accounts { get; }
    public SpendWriter Writer { get; }
    public SpendLedger Ledger { get; }
    /// <summary><c>maximum_spend_logs_retention_period</c> on this store; configured (and started) by the runtime.</summary>
    public SpendLogCleanup LogCleanup { get; }
    public TimeProvider Time => Ledger.Time;
    /// <summary>"SQLite /data/edgegw.db" or "PostgreSQL postgresql://user:****@host:5432/litellm", for logs.</summary>
    public string Description { get; }
    public bool IsOpen => _sqlite?.IsOpen ?? Volatile.Read(ref _disposed) == 0;

    /// <summary>The embedded database, for tests that reach into it; null on PostgreSQL.</summary>
    public SqliteStore? Store => _sqlite;

    public static GatewayData Open(string path, TimeProvider time, ILoggerFactory loggers) => Open(new DatabaseChoice.Sqlite(path), time, loggers);

    /// <summary>
    /// Opens the chosen database (SQLite: migrated; PostgreSQL: LiteLLM's tables created where missing,
    /// waited for while unreachable) and loads the cache; <see cref="StoreException"/> when it cannot.
    /// </summary>
    /// <param name="redis">With PostgreSQL: account changes travel over its pub/sub instead of NOTIFY. SQLite (one database per process) announces nothing either way.</param>
    /// <param name="opening">SQLite already being opened and migrated (<see cref="SqliteStore.Open"/>) for <paramref name="choice"/>'s path.</param>
    public static GatewayData Open(DatabaseChoice choice, TimeProvider time, ILoggerFactory loggers, Shared.RedisConnection? redis = null,
        Task<SqliteStore>? opening = null)
    {
        var logger = loggers.CreateLogger("EdgeGw.Database");
        var writerLogger = loggers.CreateLogger("EdgeGw.SpendWriter");
        var bound = SpendQueueBound.FromEnvironment();
        var accounts = new Accounts();
        if (choice is DatabaseChoice.Postgres postgres)
        {
            // Start-up only, before the server listens: nothing else waits on this thread.
            var store = PostgresStore.OpenAsync(postgres.Url, postgres.StartWait, logger).GetAwaiter().GetResult();
            try
            {
                IAccountChanges changes = redis is null
                    ? new PostgresAccountChanges(store.Source, store.Url, logger)
                    : new Shared.RedisAccountChanges(redis, loggers.CreateLogger("EdgeGw.Redis"));
                var accountStore = new PostgresAccountStore(store.Source, store.Url, changes);
                var skipped = accountStore.LoadIntoAsync(accounts).GetAwaiter().GetResult();
                if (skipped > 0)
                    LogSkippedKeys(logger, skipped);
                var writer = new SpendWriter(new PostgresSpendStore(store.Source), writerLogger, bound);
                LogDatabase(logger, $"PostgreSQL {store.Url.Redacted}", postgres.Source);
                // Other replicas' admin writes and spend reach this cache: changed rows within a notification, spend every second.
                var modelReloads = new ModelReloads(logger);
                changes.Start(new AccountSync(accountStore, accounts, modelReloads));
                var refresh = new PostgresSpendRefresh(store.Source, accounts, logger);
                PostgresResponseTable.EnsureAsync(store.Source).GetAwaiter().GetResult();
                return new GatewayData(accountStore, new PostgresSpendReports(store.Source), accounts, writer, time, store, $"PostgreSQL {store.Url.Redacted}",
                    sqlite: null, new SpendLogCleanup(new PostgresSpendLogRetention(store.Source), time, logger), changes, modelReloads, refresh)
                {
                    AccountChanges = changes,
                    ModelReloads = modelReloads,
                    Responses = new ResponseStore(new PostgresResponseTable(store.Source), time, loggers.CreateLogger("EdgeGw.Responses")),
                    Models = new PostgresModelStore(store.Source, store.Url, changes),
                    Credentials = new PostgresCredentialStore(store.Source, store.Url, changes),
                };
            }
            catch (StoreUnavailableException e)
            {
                store.DisposeAsync().AsTask().GetAwaiter().GetResult();
                throw new StoreException($"cannot read accounts from PostgreSQL {store.Url.Redacted}: {e.Message}", e);
            }
            catch
            {
                store.DisposeAsync().AsTask().GetAwaiter().GetResult();
                throw;
            }
        }
        var path = ((DatabaseChoice.Sqlite)choice).Path;
        var sqlite = opening is null ? SqliteStore.Open(path) : opening.GetAwaiter().GetResult();
        try
        {
            var accountStore = new SqliteAccountStore(sqlite);
            accountStore.LoadIntoAsync(accounts).GetAwaiter().GetResult();
            var writer = new SpendWriter(new SqliteSpendStore(sqlite), writerLogger, bound);
            return new GatewayData(accountStore, new SqliteSpendReports(sqlite), accounts, writer, time, new SyncDisposable(sqlite), $"SQLite {sqlite.Path}", sqlite,
                new SpendLogCleanup(new SqliteSpendLogRetention(sqlite), time, logger))
            {
                Responses = new ResponseStore(new SqliteResponseTable(sqlite), time, loggers.CreateLogger("EdgeGw.Responses")),
                Models = new SqliteModelStore(sqlite),
                Credentials = new SqliteCredentialStore(sqlite),
            };
        }
        catch
        {
            sqlite.Dispose();
            throw;
        }
    }

    /// <summary>Drains the spend writer, then closes the database. Safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        foreach (var sync in _replicaSync)
            await sync.DisposeAsync();
        await LogCleanup.DisposeAsync();
        await Responses.DisposeAsync();
        await Writer.DisposeAsync();
        await _database.DisposeAsync();
    }

    private sealed class SyncDisposable(IDisposable inner) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            inner.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "database: {Database} (from {Source}), LiteLLM's tables")]
    private static partial void LogDatabase(ILogger logger, string database, string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "database: {Count} keys in LiteLLM_VerificationToken were skipped: their token is not a SHA-256 hex (keys stored unhashed by a very old LiteLLM)")]
    private static partial void LogSkippedKeys(ILogger logger, int count);
}
