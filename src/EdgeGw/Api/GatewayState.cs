using EdgeGw.Auth;
using EdgeGw.Config;
using EdgeGw.Limits;
using EdgeGw.Providers;
using EdgeGw.Routing;
using EdgeGw.Spend;
using EdgeGw.Storage;
using EdgeGw.Upstream;

namespace EdgeGw.Api;

/// <summary>
/// Everything a request needs that comes from the config, built once per config. A request reads
/// <see cref="GatewayRuntime.Current"/> once and finishes on that snapshot.
/// </summary>
internal sealed class GatewayState
{
    public GatewayState(GatewayConfig config, UpstreamClients clients, TimeProvider time, GatewayData data, LimitRegistry limits,
        HealthRegistry health, Cache.ResponseCache? cache = null, EdgeGw.Ui.UiGuard? ui = null)
    {
        Config = config;
        Cache = config.Cache is null ? null : cache;
        Data = data;
        Time = time;
        Limits = limits;
        Models = ModelRegistry.Build(config, new ChatEndpointFactory(config, clients, time), endpoint =>
        {
            // Limit usage, cooldowns and latency live in registries keyed by deployment id, so a reload
            // keeps them. A wildcard's deployment shares its rpm/tpm across the names it serves (LiteLLM
            // counts by deployment id) but each name has its own health: one bad name parks no other.
            endpoint.Limits = limits.ForDeployment(endpoint.Deployment, time.GetUtcNow().UtcTicks);
            if (endpoint.Deployment.Pattern is null)
                endpoint.Health = health.For(endpoint.Deployment.Id);
        });
        Ui = EdgeGw.Ui.UiSettings.From(config, ui ?? new EdgeGw.Ui.UiGuard(time), time);
        Authenticator = new Authenticator(config.General.MasterKey, data.Accounts, time, config.General.KeyHeaderName, Ui.Disabled ? null : Ui.Sessions);
        GlobalBudget = config.Litellm.MaxBudget is null && config.Litellm.BudgetDuration is null
            ? GlobalBudget.None
            : new GlobalBudget(config.Litellm.MaxBudget is { } max ? Money.ToNanos(max) : null, config.Litellm.BudgetDuration);
    }

    /// <summary>The long-lived database, cache and spend writer (shared by every config snapshot).</summary>
    public GatewayData Data { get; }
    public GlobalBudget GlobalBudget { get; }
    public TimeProvider Time { get; }
    /// <summary>Deployment and global limit state, shared by every config snapshot.</summary>
    public LimitRegistry Limits { get; }

    public GatewayConfig Config { get; }
    /// <summary>The response cache while this config turns it on (a reload can turn it off and on).</summary>
    public Cache.ResponseCache? Cache { get; }
    public ModelRegistry Models { get; }
    public Authenticator Authenticator { get; }
    /// <summary>The admin UI's login, session keys and DISABLE_ADMIN_UI for this config.</summary>
    public EdgeGw.Ui.UiSettings Ui { get; }
    /// <summary>The runtime that built this snapshot (admin model changes rebuild through it); null in bare unit tests.</summary>
    public GatewayRuntime? Runtime { get; init; }
}

/// <summary>The long-lived parts of the gateway, and the current config snapshot.</summary>
internal sealed class GatewayRuntime : IDisposable
{
    private GatewayState _current;

    public GatewayRuntime(GatewayConfig config, TimeProvider time, GatewayData data, Observability.GatewayTelemetry? telemetry = null,
        Shared.RedisConnection? redis = null)
    {
        Time = time;
        UiGuard = new EdgeGw.Ui.UiGuard(time);
        Data = data;
        Redis = redis;
        Telemetry = telemetry ?? new Observability.GatewayTelemetry(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        Telemetry.Metrics.Accounts = data.Accounts;
        Telemetry.Metrics.SpendWriter = data.Writer;
        Telemetry.Metrics.Load(config);
        if (redis is not null)
            Limits.Shared = Telemetry.Metrics.SharedLimits = new Shared.SharedLimits(redis, redis.Logger);
        if (config.Cache is { } cache)
            MakeCache(cache);
        ApplyCallbacks(config.Callbacks);
        data.Ledger.Clock = config.Litellm.BudgetClock;
        data.Ledger.WritesRows = !config.General.DisableSpendLogs;
        data.Writer.DropRowsWhenFull = config.General.AllowRequestsOnDbUnavailable;
        data.LogCleanup.Configure(config.General.SpendLogsRetention, config.General.SpendLogsRetentionInterval);
        _config = config;
        var heard = data.ModelReloads?.Mark() ?? 0;
        // Database models serve from the first request, as LiteLLM loads them before it answers.
        LoadDatabaseModels(config);
        _current = Build(config, strict: true);
        // Other replicas' model changes from here on (and any heard during the load above) reload this snapshot.
        data.ModelReloads?.Attach(ReloadDatabaseModelsAsync, heard);
    }

    private void LoadDatabaseModels(GatewayConfig config)
    {
        try
        {
            var credentials = StoredCredentials.LoadAsync(config, Data.Credentials, Telemetry.RequestLogger).GetAwaiter().GetResult();
            var loaded = DatabaseModels.LoadAsync(config, Data.Models, Telemetry.RequestLogger, credentials: StoredCredentials.ByName(config, credentials))
                .GetAwaiter().GetResult();
            lock (_swap)
            {
                _credentials = credentials;
                _databaseModels = loaded;
                _modelsVersion++;
            }
        }
        catch (Exception e) when (e is StoreException or StoreUnavailableException)
        {
            DatabaseModels.LogNotLoaded(Telemetry.RequestLogger, e.Message);
        }
    }

    private readonly Lock _swap = new();
    private GatewayConfig _config;
    private int _modelsVersion;
    private System.Collections.Immutable.ImmutableArray<Deployment> _databaseModels = [];
    private System.Collections.Immutable.ImmutableArray<CredentialEntry> _credentials = [];

    /// <summary>The stored credentials (<c>/credentials</c>), values decrypted, as last loaded.</summary>
    public System.Collections.Immutable.ImmutableArray<CredentialEntry> StoredCredentialList => _credentials;

    /// <param name="strict">A config deployment naming a credential neither listed nor stored is a <see cref="ConfigException"/> (start-up, config reload); otherwise it is logged and left out.</param>
    private GatewayState Build(GatewayConfig config, bool strict = false)
    {
        var errors = new List<string>();
        var borrowing = StoredCredentials.ReadBorrowing(config, StoredCredentials.ByName(config, _credentials), errors);
        if (errors.Count > 0)
        {
            if (strict)
                throw new ConfigException("", errors[0]);
            foreach (var error in errors)
                StoredCredentials.LogUnresolved(Telemetry.RequestLogger, error);
        }
        // Without store_model_in_db the stored models are not served (LiteLLM does not read the table then).
        var added = config.General.StoreModelInDb ? borrowing.AddRange(_databaseModels) : borrowing;
        return new(added.IsEmpty ? config : config with { Deployments = config.Deployments.AddRange(added) },
            Clients, Time, Data, Limits, Health, Cache, UiGuard) { Runtime = this };
    }

    /// <summary>
    /// Re-reads the database models and swaps in a snapshot of the current config plus them, so a model
    /// added or deleted through the API serves (or stops) with the next request.
    /// </summary>
    public async Task ReloadDatabaseModelsAsync(CancellationToken cancel = default)
    {
        // One read-and-swap at a time: an admin's reload and one another replica's change asked for must not swap in the older read last.
        await _modelsLoad.WaitAsync(cancel);
        try
        {
            // Credentials first: models (config and database) borrow them by name.
            var config = Volatile.Read(ref _config);
            var credentials = await StoredCredentials.LoadAsync(config, Data.Credentials, Telemetry.RequestLogger, cancel);
            var loaded = await DatabaseModels.LoadAsync(config, Data.Models, Telemetry.RequestLogger, cancel, StoredCredentials.ByName(config, credentials));
            lock (_swap) // a config reload racing this must not bring back the old models, nor this the old config
            {
                _credentials = credentials;
                _databaseModels = loaded;
                _modelsVersion++;
                Volatile.Write(ref _current, Build(_config));
            }
        }
        finally
        {
            _modelsLoad.Release();
        }
    }

    private readonly SemaphoreSlim _modelsLoad = new(1, 1);

    public GatewayData Data { get; }
    /// <summary>The Redis replicas share limits and router state through (chosen at start, kept across reloads); null: this process alone.</summary>
    public Shared.RedisConnection? Redis { get; }
    /// <summary>Cooldowns, failures, latency and usage exchanged with the other replicas; null without Redis.</summary>
    public Shared.RedisRouterState? RouterState { get; set; }
    /// <summary>
    /// The response cache, made by the first config that turns it on (at start or on a reload); a later
    /// reload applies its new settings, not a new store (entries survive a reload that turns it off and on).
    /// </summary>
    public Cache.ResponseCache? Cache { get; private set; }
    /// <summary>Metrics and the request log: kept across config reloads.</summary>
    public Observability.GatewayTelemetry Telemetry { get; }

    public UpstreamClients Clients { get; } = new();
    public LimitRegistry Limits { get; } = new();
    /// <summary>Deployment cooldowns, latency and load, shared by every config snapshot.</summary>
    public HealthRegistry Health { get; } = new();
    /// <summary>The admin UI's failed-login counts and logged-out sessions, kept across config reloads.</summary>
    public EdgeGw.Ui.UiGuard UiGuard { get; }

    /// <summary>
    /// The host's ApplicationStopping, set once it is built; cancelled without a host (a bare runtime:
    /// a disconnect then cancels upstream work). Read here, not from <c>HttpContext.RequestServices</c>,
    /// whose first touch creates a DI scope per request (~190 B).
    /// </summary>
    public CancellationToken Stopping { get; set; } = new(true);

    /// <summary>The bounds on streams whose client left or stalled (<c>EDGEGW_STREAM_WRITE_TIMEOUT</c>).</summary>
    public Streaming.StreamLimits StreamLimits { get; set; } = Streaming.StreamLimits.Default;

    /// <summary>The runtime serving <paramref name="context"/>; null for a context no dispatcher served (a health check's call).</summary>
    public static GatewayRuntime? Of(HttpContext context) => context.Features.Get<GatewayRuntime>();

    public TimeProvider Time { get; }
    public GatewayState Current => Volatile.Read(ref _current);

    /// <summary>
    /// Swaps in a snapshot built from <paramref name="config"/>: requests already running finish on
    /// the old one. The upstream clients, database and telemetry are shared by both.
    /// </summary>
    public void Replace(GatewayConfig config)
    {
        if (config.Cache is { } cache)
        {
            if (Cache is null)
                MakeCache(cache); // the store is chosen here, once: a Redis one needs the Redis connection made at start
            else
                Cache.Apply(cache);
        }
        if (config.General.StoreModelInDb && !Volatile.Read(ref _config).General.StoreModelInDb)
            LoadDatabaseModels(config); // a reload that turns store_model_in_db on serves the stored models at once
        GatewayState next;
        int modelsVersion;
        lock (_swap)
        {
            try
            {
                next = Build(config, strict: true); // a config reload keeps the database models
            }
            catch (ConfigException e)
            {
                throw new InvalidOperationException(e.Message, e); // the reload is refused; the old config stays
            }
            Volatile.Write(ref _config, config);
            modelsVersion = _modelsVersion;
        }
        Telemetry.Metrics.Load(config);
        if (config.Callbacks != _callbackSettings)
            ApplyCallbacks(config.Callbacks);
        Data.Ledger.Clock = config.Litellm.BudgetClock;
        Data.Ledger.WritesRows = !config.General.DisableSpendLogs;
        Data.Writer.DropRowsWhenFull = config.General.AllowRequestsOnDbUnavailable;
        Data.LogCleanup.Configure(config.General.SpendLogsRetention, config.General.SpendLogsRetentionInterval);
        Data.Responses.Configure(config.General.ResponseRetention, config.General.ResponseStoreMaxRows);
        lock (_swap)
            Volatile.Write(ref _current, modelsVersion == _modelsVersion ? next : Build(config));
    }

    private Config.CallbackSettings? _callbackSettings;

    /// <summary>Starts the workers of <paramref name="settings"/>; a replaced set sends what it holds and stops in the background.</summary>
    private void ApplyCallbacks(Config.CallbackSettings? settings)
    {
        var old = Data.Ledger.Callbacks;
        _callbackSettings = settings;
        Data.Ledger.Callbacks = Telemetry.Metrics.Callbacks = settings is null ? null
            : new Observability.Callbacks.CallbackDispatcher(settings, Telemetry.RequestLogger);
        if (old is not null)
            _ = old.DisposeAsync().AsTask();
    }

    private void MakeCache(Config.CacheSettings settings) =>
        Cache = Telemetry.Metrics.Cache = new Cache.ResponseCache(settings, Redis, Time, Redis?.Logger ?? Telemetry.RequestLogger);

    public void Dispose()
    {
        Data.Ledger.Callbacks?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Clients.Dispose();
        Data.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _modelsLoad.Dispose();
    }
}
