using System.Collections.Immutable;

namespace EdgeGw.Config;

/// <summary><c>general_settings</c>: the proxy's own behaviour.</summary>
internal sealed record GeneralSettings
{
    public required string MasterKey { get; init; }
    /// <summary><c>encryption_algorithm</c>: how stored secrets (models, credentials) are written; all formats are read.</summary>
    public Storage.Secrets.SecretFormat EncryptionAlgorithm { get; init; }
    public long MaxRequestSizeBytes { get; init; } = 32L * 1024 * 1024;
    /// <summary>
    /// <c>max_response_size_mb</c>: a non-streamed upstream answer past this is a 502. LiteLLM leaves it
    /// unset (no cap); EdgeGw defaults to 32 MB, as for requests, since each answer is held whole in memory.
    /// </summary>
    public long MaxResponseSizeBytes { get; init; } = DefaultMaxResponseSizeBytes;
    public const long DefaultMaxResponseSizeBytes = 32L * 1024 * 1024;
    /// <summary><c>max_parallel_requests</c> / <c>global_max_parallel_requests</c>: requests in flight across the proxy.</summary>
    public int? MaxParallelRequests { get; init; }
    public TokenRateLimitType TokenRateLimitType { get; init; } = TokenRateLimitType.Total;
    /// <summary><c>graceful_shutdown_seconds</c>: how long SIGTERM/SIGINT waits for in-flight requests and streams.</summary>
    public TimeSpan GracefulShutdown { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary><c>litellm_key_header_name</c>: the one header keys are read from, instead of Authorization / x-api-key.</summary>
    public string? KeyHeaderName { get; init; }
    /// <summary><c>enforce_user_param</c>: a model request without a top-level <c>user</c> is refused (401, LiteLLM's message).</summary>
    public bool EnforceUserParam { get; init; }
    /// <summary><c>disable_spend_logs</c>: no spend-log row per request; key, team, user and proxy spend still count.</summary>
    public bool DisableSpendLogs { get; init; }
    /// <summary><c>maximum_spend_logs_retention_period</c>: spend-log rows older than this are deleted (spend totals stay).</summary>
    public TimeSpan? SpendLogsRetention { get; init; }
    /// <summary><c>maximum_spend_logs_retention_interval</c>: how often the deletion runs (LiteLLM's default: daily).</summary>
    public TimeSpan? SpendLogsRetentionInterval { get; init; }
    /// <summary><c>edgegw_response_retention_days</c>: stored Responses turns older than this are gone (default 30 days).</summary>
    public TimeSpan? ResponseRetention { get; init; }
    /// <summary><c>edgegw_response_store_max_rows</c>: stored Responses turns kept at most, oldest purged first (default 100,000).</summary>
    public int? ResponseStoreMaxRows { get; init; }
    /// <summary>
    /// <c>allow_requests_on_db_unavailable</c>: when the database cannot be written and the spend queue
    /// is full, serve model requests (their spend-log rows dropped and counted) instead of refusing them with 503.
    /// </summary>
    public bool AllowRequestsOnDbUnavailable { get; init; }
    /// <summary>
    /// <c>database_url</c> (resolved), else the <c>DATABASE_URL</c> environment variable, as LiteLLM reads them:
    /// PostgreSQL on LiteLLM's tables instead of the SQLite file. Read once at start; a reload does not switch databases.
    /// </summary>
    public string? DatabaseUrl { get; init; }
    /// <summary>Where <see cref="DatabaseUrl"/> came from, for messages: <c>general_settings.database_url</c> or <c>DATABASE_URL</c>.</summary>
    public string DatabaseUrlSource { get; init; } = "";
    /// <summary>
    /// <c>store_model_in_db</c> (else the <c>STORE_MODEL_IN_DB</c> environment variable): models are added, updated and
    /// deleted through the API and database models serve. Off, as in LiteLLM, the API refuses and database rows are not loaded.
    /// </summary>
    public bool StoreModelInDb { get; init; }
    /// <summary><c>database_connection_pool_limit</c>: PostgreSQL connections at most, unless the URL's own <c>connection_limit</c> says.</summary>
    public int? DatabaseConnectionPoolLimit { get; init; }
}

/// <summary><c>litellm_settings</c>: request behaviour shared by all deployments.</summary>
internal sealed record LitellmSettings
{
    public bool DropParams { get; init; }
    public TimeSpan? RequestTimeout { get; init; }
    /// <summary><c>max_budget</c>: the whole proxy's budget in USD.</summary>
    public decimal? MaxBudget { get; init; }
    /// <summary><c>budget_duration</c>: how often the proxy's spend resets.</summary>
    public Spend.BudgetDuration? BudgetDuration { get; init; }
    /// <summary><c>timezone</c> and <c>budget_reset_time</c>: when every budget window (proxy, key, team, user) resets.</summary>
    public Spend.BudgetClock BudgetClock { get; init; } = Spend.BudgetClock.Utc;
    /// <summary><c>json_logs</c>: every log line (including the per-request line) as one JSON object.</summary>
    public bool JsonLogs { get; init; }
    /// <summary><c>set_verbose</c>: debug-level logs.</summary>
    public bool SetVerbose { get; init; }
    /// <summary>
    /// <c>require_auth_for_metrics_endpoint</c>: true unless set to false. LiteLLM leaves <c>/metrics</c>
    /// open by default; EdgeGw asks for a key, since labels name models and deployments.
    /// </summary>
    public bool RequireAuthForMetrics { get; init; } = true;
}

/// <summary>The whole validated configuration; a reload replaces it as one reference.</summary>
internal sealed record GatewayConfig
{
    public required ImmutableArray<Deployment> Deployments { get; init; }
    /// <summary>The file's <c>credential_list</c> by name, values resolved.</summary>
    public System.Collections.Frozen.FrozenDictionary<string, YamlDotNet.RepresentationModel.YamlMappingNode> Credentials { get; init; } =
        System.Collections.Frozen.FrozenDictionary<string, YamlDotNet.RepresentationModel.YamlMappingNode>.Empty;
    /// <summary>Deployments naming a credential the file does not list: read once the stored credentials are known.</summary>
    public ImmutableArray<BorrowingDeployment> BorrowingDeployments { get; init; } = [];
    public required GeneralSettings General { get; init; }
    public LitellmSettings Litellm { get; init; } = new();
    public RouterSettings Router { get; init; } = new();
    /// <summary>The Redis replicas share limits, budgets and router state through; null: this process alone.</summary>
    public RedisSettings? Redis { get; init; }
    /// <summary>LiteLLM's response cache (<c>litellm_settings.cache</c>); null: every request goes to its provider.</summary>
    public CacheSettings? Cache { get; init; }
    /// <summary>The callbacks EdgeGw sends events to (generic_api webhooks); null: none.</summary>
    public CallbackSettings? Callbacks { get; init; }
    /// <summary>OpenTelemetry traces (<c>callbacks: ["otel"]</c>) and LiteLLM's OTEL_* environment; null: no spans are made.</summary>
    public Observability.Otel.OtelSettings? Otel { get; init; }
    /// <summary>Keys that were accepted but are not (yet) acted on, listed once at start-up.</summary>
    public ImmutableArray<string> IgnoredKeys { get; init; } = [];
    /// <summary>LiteLLM features asked for that arrive later (PostgreSQL, cache, callbacks, UI, …), each told at start-up with what EdgeGw does instead.</summary>
    public ImmutableArray<DeferredFeature> Deferred { get; init; } = [];
    /// <summary>Non-fatal findings, e.g. an <c>os.environ/NAME</c> that is not set.</summary>
    public ImmutableArray<string> Warnings { get; init; } = [];
    /// <summary>
    /// The process environment with the file's <c>environment_variables:</c> over it: what adapters read for
    /// provider variables resolved per deployment (AWS_REGION, GOOGLE_APPLICATION_CREDENTIALS, …).
    /// </summary>
    public Func<string, string?> Environment { get; init; } = static name => System.Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
}
