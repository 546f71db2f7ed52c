namespace EdgeGw.Cli;

/// <summary>
/// LiteLLM proxy options (litellm/proxy/proxy_cli.py) that EdgeGw accepts without acting on, each with
/// why it is not needed, so a tutorial's <c>litellm …</c> or compose <c>command:</c> starts unchanged.
/// </summary>
internal static class LiteLlmOptions
{
    /// <summary>An accepted option: whether it takes a value, the environment variable LiteLLM also reads it from, and why EdgeGw needs none of it.</summary>
    public sealed record Ignored(string Name, bool TakesValue, string? Environment, string Reason);

    private const string OneProcess = "not needed, one EdgeGw process already uses every core";
    private const string NoWorkers = "not needed, EdgeGw has no worker processes to recycle or watch";
    private const string OwnServer = "not needed, EdgeGw serves HTTP/1.1 and HTTP/2 with its built-in Kestrel server";
    private const string OwnDatabase = "not needed, EdgeGw keeps keys and spend in SQLite and migrates the schema itself at start-up";
    private const string ConfigOnly = "not applied, EdgeGw serves the models and settings of its config file (put this in config.yaml)";
    private const string NoQueue = "not needed, EdgeGw has no request queue";

    public static readonly Ignored[] All =
    [
        new("--num_workers", true, "NUM_WORKERS", OneProcess),
        new("--granian_threads", true, "GRANIAN_RUNTIME_THREADS", OneProcess),
        new("--run_gunicorn", false, null, OwnServer),
        new("--run_hypercorn", false, null, OwnServer),
        new("--run_granian", false, null, OwnServer),
        new("--timeout_worker_healthcheck", true, "TIMEOUT_WORKER_HEALTHCHECK", NoWorkers),
        new("--max_requests_before_restart", true, "MAX_REQUESTS_BEFORE_RESTART", NoWorkers),
        new("--max_requests_before_restart_jitter", true, "MAX_REQUESTS_BEFORE_RESTART_JITTER", NoWorkers),
        new("--limit_concurrency", true, "LIMIT_CONCURRENCY", "not applied, cap concurrent requests with general_settings.global_max_parallel_requests"),
        new("--telemetry", true, null, "not needed, EdgeGw sends no telemetry"),
        new("--local", false, null, "not needed, a no-op in LiteLLM too"),
        new("--log_config", true, null, "not applied, EdgeGw logs to stdout (JSON with litellm_settings.json_logs or JSON_LOGS=true, level with LITELLM_LOG)"),
        new("--reload", false, null, "not needed, send SIGHUP to reload the config file without a restart"),
        new("--prometheus_metrics_port", true, "PROMETHEUS_METRICS_PORT", "not needed, /metrics is served on the main port without blocking requests"),
        new("--ciphers", true, null, "not applied, TLS uses the system OpenSSL's cipher policy"),
        new("--use_prisma_db_push", false, null, OwnDatabase),
        new("--use_v2_migration_resolver", false, "USE_V2_MIGRATION_RESOLVER", OwnDatabase),
        new("--use_legacy_migration_resolver", false, null, OwnDatabase),
        new("--enforce_prisma_migration_check", false, null, OwnDatabase),
        new("--iam_token_db_auth", false, null, OwnDatabase),
        new("--azure_postgresql_auth", false, null, OwnDatabase),
        new("--use_queue", false, null, NoQueue),
        new("--test_async", false, null, NoQueue),
        new("--num_requests", true, null, NoQueue),
        new("--setup", false, null, "not available, write config.yaml by hand (see the README)"),
        new("--model", true, null, ConfigOnly),
        new("-m", true, null, ConfigOnly),
        new("--alias", true, null, ConfigOnly),
        new("--api_base", true, null, ConfigOnly),
        new("--api_version", true, null, ConfigOnly),
        new("--add_key", true, null, ConfigOnly),
        new("--headers", true, null, ConfigOnly),
        new("--temperature", true, null, ConfigOnly),
        new("--max_tokens", true, null, ConfigOnly),
        new("--request_timeout", true, null, ConfigOnly),
        new("--max_budget", true, null, ConfigOnly),
        new("--drop_params", false, null, ConfigOnly),
        new("--add_function_to_prompt", false, null, ConfigOnly),
        new("--save", false, null, ConfigOnly),
    ];

    public static Ignored? Find(string name)
    {
        foreach (var option in All)
        {
            if (option.Name == name)
                return option;
        }
        return null;
    }
}
