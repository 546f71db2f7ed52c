using System.Globalization;
using System.Net;

namespace EdgeGw.Cli;

/// <summary>
/// Parsed command line: LiteLLM proxy's options (<c>litellm --config … --port … --num_workers 4 --detailed_debug</c>)
/// and the environment variables its CLI reads, plus EdgeGw's <c>--db</c>. An option given on the
/// command line wins over its environment variable, which wins over the default.
/// </summary>
internal sealed record CommandLine
{
    /// <summary>The database file when neither <c>--db</c> nor <see cref="DatabaseVariable"/> is given.</summary>
    public const string DefaultDatabasePath = "edgegw.db";
    public const string DatabaseVariable = "EDGEGW_DB";

    public string ConfigPath { get; init; } = "config.yaml";
    public IPAddress Host { get; init; } = IPAddress.Any;
    public int Port { get; init; } = 4000;
    public string DatabasePath { get; init; } = DefaultDatabasePath;
    /// <summary>The most verbose level asked for: <c>--detailed_debug</c> Debug, <c>--debug</c> Information.</summary>
    public LogLevel? LogLevel { get; init; }
    public string? SslCertfilePath { get; init; }
    public string? SslKeyfilePath { get; init; }
    public TimeSpan? KeepAliveTimeout { get; init; }
    /// <summary><c>EDGEGW_MAX_CONNECTIONS</c>: open TCP connections at most (LiteLLM has no such setting).</summary>
    public long? MaxConnections { get; init; }
    /// <summary><c>EDGEGW_REQUEST_HEADERS_TIMEOUT</c>: seconds a connection may take to send a request's headers.</summary>
    public TimeSpan? RequestHeadersTimeout { get; init; }
    /// <summary><c>EDGEGW_STREAM_WRITE_TIMEOUT</c>: seconds a stream's client may leave a write untaken before the stream is ended.</summary>
    public TimeSpan? StreamWriteTimeout { get; init; }
    public bool ShowHelp { get; init; }
    public bool ShowVersion { get; init; }
    /// <summary>LiteLLM's <c>--health</c>: query a running gateway's <c>/health</c> and exit.</summary>
    public bool RunHealth { get; init; }
    /// <summary>LiteLLM's <c>--test</c>: send a test chat completion to a running gateway and exit.</summary>
    public bool RunTest { get; init; }
    public string? TestModel { get; init; }
    public bool ValidateConfig { get; init; }
    public bool SkipServerStartup { get; init; }
    /// <summary>One line per accepted option EdgeGw does not need, saying why (logged at start-up).</summary>
    public IReadOnlyList<string> NotNeeded { get; init; } = [];

    public const string Usage = """
        Usage: edgegw [options]

        EdgeGw: one OpenAI-compatible endpoint for every LLM provider, configured with LiteLLM's config.yaml.
        It takes LiteLLM proxy's command line: 'litellm --config config.yaml --port 4000' becomes
        'edgegw --config config.yaml --port 4000'.

        Options (environment variable in brackets; an option on the command line wins):
          -c, --config PATH        LiteLLM-format config file [CONFIG_FILE_PATH] (default: ./config.yaml)
          --host HOST              address to listen on [HOST] (default: 0.0.0.0; an IP address or 'localhost')
          -p, --port PORT          port to listen on [PORT] (default: 4000)
          --db PATH                SQLite database for keys and spend [EDGEGW_DB] (default: ./edgegw.db;
                                   /data/edgegw.db in the container image)
          --ssl_certfile_path PEM  serve HTTPS with this certificate (chain) [SSL_CERTFILE_PATH]
          --ssl_keyfile_path PEM   and this private key [SSL_KEYFILE_PATH]
          --keepalive_timeout S    close idle keep-alive connections after S seconds [KEEPALIVE_TIMEOUT]
          --debug                  log at info level or below [DEBUG=true]
          --detailed_debug         log at debug level [DETAILED_DEBUG=true]
          --validate_config        load and check the config file, then exit (0 valid, 1 invalid)
          --skip_server_startup    open and migrate the database, then exit
          --health                 print GET /health of the gateway at --host/--port (sends LITELLM_MASTER_KEY)
          --test                   send a test chat completion to the gateway at --host/--port (model: -m/--model,
                                   default gpt-3.5-turbo; sends LITELLM_MASTER_KEY)
          -v, --version            print the version and exit
          -h, --help               print this help and exit

        Accepted from LiteLLM's command line and not needed (each logs one line saying why):
          --num_workers, --granian_threads, --run_gunicorn, --run_hypercorn, --run_granian,
          --timeout_worker_healthcheck, --max_requests_before_restart[_jitter], --limit_concurrency,
          --telemetry, --local, --log_config, --reload, --prometheus_metrics_port, --ciphers,
          --use_prisma_db_push, --use_v2_migration_resolver, --use_legacy_migration_resolver,
          --enforce_prisma_migration_check, --iam_token_db_auth, --azure_postgresql_auth, --use_queue,
          --test_async, --num_requests, --setup, and the single-model options (--model, --alias,
          --api_base, --api_version, --add_key, --headers, --temperature, --max_tokens,
          --request_timeout, --max_budget, --drop_params, --add_function_to_prompt, --save).
        Log level and format also follow LITELLM_LOG (DEBUG, INFO, WARNING, ERROR) and JSON_LOGS=true.

        Commands:
          healthcheck [PATH | URL] [--host H] [--port P] [--ssl_certfile_path PEM]
                          exit 0 when the gateway answers PATH (default /health/liveliness; e.g.
                          /health/readiness) with 2xx, 1 otherwise: a Docker HEALTHCHECK without curl.
                          Host and port default to HOST and PORT like the server, then 127.0.0.1:4000.
          db copy --from sqlite:PATH --to postgresql://USER:PASSWORD@HOST:PORT/DB
                          copy keys, teams, users, team members, spend totals, spend rows and run-time
                          models from the SQLite database into LiteLLM's tables on PostgreSQL (created where
                          missing); --from postgresql://… --to sqlite:PATH copies the run-time models back.
                          Running it again changes nothing already copied. Exit 0 done, 1 failed, 2 bad usage.

        Signals: SIGTERM/SIGINT drain in-flight requests (general_settings.graceful_shutdown_seconds,
        default 30) and exit 0; SIGHUP reloads the config file (an invalid file is logged and ignored).
        """;

    /// <summary>Parses <paramref name="args"/> with <paramref name="environment"/>; throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public static CommandLine Parse(IReadOnlyList<string> args, Func<string, string?>? environment = null)
    {
        environment ??= _ => null;
        var result = new CommandLine();
        var given = new HashSet<string>(StringComparer.Ordinal);
        var notNeeded = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? inlineValue = null;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inlineValue = arg[(eq + 1)..];
                arg = arg[..eq];
            }
            string Value()
            {
                if (inlineValue is not null)
                    return inlineValue.Length > 0 ? inlineValue : throw new ArgumentException($"{arg} needs a value");
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new ArgumentException($"{arg} needs a value");
                return args[++i];
            }
            void Flag()
            {
                if (inlineValue is not null)
                    throw new ArgumentException($"{arg} is a flag and takes no value (got '{args[i]}')");
            }
            given.Add(arg);
            if (LiteLlmOptions.Find(arg) is { } ignored)
            {
                if (ignored.TakesValue)
                    notNeeded.Add($"{arg} {Value()}: {ignored.Reason}");
                else
                {
                    Flag();
                    notNeeded.Add($"{arg}: {ignored.Reason}");
                }
                if (arg is "--model" or "-m")
                    result = result with { TestModel = args[i] };
                continue;
            }
            switch (arg)
            {
                case "--config" or "-c": result = result with { ConfigPath = Value() }; break;
                case "--host": result = result with { Host = ParseHost(Value(), arg) }; break;
                case "--port" or "-p": result = result with { Port = ParsePort(Value(), arg) }; break;
                case "--db": result = result with { DatabasePath = Value() }; break;
                case "--ssl_certfile_path": result = result with { SslCertfilePath = Value() }; break;
                case "--ssl_keyfile_path": result = result with { SslKeyfilePath = Value() }; break;
                case "--keepalive_timeout": result = result with { KeepAliveTimeout = ParseSeconds(Value(), arg) }; break;
                case "--debug": Flag(); result = result with { LogLevel = MoreVerbose(result.LogLevel, Microsoft.Extensions.Logging.LogLevel.Information) }; break;
                case "--detailed_debug": Flag(); result = result with { LogLevel = Microsoft.Extensions.Logging.LogLevel.Debug }; break;
                case "--validate_config": Flag(); result = result with { ValidateConfig = true }; break;
                case "--skip_server_startup": Flag(); result = result with { SkipServerStartup = true }; break;
                case "--health": Flag(); result = result with { RunHealth = true }; break;
                case "--test": Flag(); result = result with { RunTest = true }; break;
                case "--help" or "-h": result = result with { ShowHelp = true }; break;
                case "--version" or "-v": result = result with { ShowVersion = true }; break;
                default:
                    throw new ArgumentException(args[i].StartsWith('-')
                        ? $"unknown option '{args[i]}'"
                        : $"unexpected argument '{args[i]}' (the commands are 'healthcheck' and 'db copy', and come first)");
            }
        }
        result = WithEnvironment(result, given, environment);
        foreach (var ignored in LiteLlmOptions.All)
        {
            if (ignored.Environment is { } name && !given.Contains(ignored.Name) && environment(name) is { Length: > 0 } value)
                notNeeded.Add($"{name}={value}: {ignored.Reason}");
        }
        if ((result.SslCertfilePath is null) != (result.SslKeyfilePath is null))
            throw new ArgumentException("--ssl_certfile_path and --ssl_keyfile_path (or SSL_CERTFILE_PATH and SSL_KEYFILE_PATH) go together: HTTPS needs both");
        return result with { NotNeeded = notNeeded };
    }

    /// <summary>
    /// What the command line left unset, from the environment as LiteLLM's CLI reads it (click's
    /// <c>envvar=</c>, and CONFIG_FILE_PATH as proxy_server does) and EDGEGW_DB for the database.
    /// </summary>
    private static CommandLine WithEnvironment(CommandLine result, HashSet<string> given, Func<string, string?> environment)
    {
        string? Env(string name, params string[] options) =>
            !options.Any(given.Contains) && environment(name) is { Length: > 0 } value ? value : null;
        if (Env("CONFIG_FILE_PATH", "--config", "-c") is { } config)
            result = result with { ConfigPath = config };
        if (Env("HOST", "--host") is { } host)
            result = result with { Host = ParseHost(host, "HOST") };
        if (Env("PORT", "--port", "-p") is { } port)
            result = result with { Port = ParsePort(port, "PORT") };
        if (Env(DatabaseVariable, "--db") is { } db)
            result = result with { DatabasePath = db };
        if (Env("KEEPALIVE_TIMEOUT", "--keepalive_timeout") is { } keepAlive)
            result = result with { KeepAliveTimeout = ParseSeconds(keepAlive, "KEEPALIVE_TIMEOUT") };
        if (Env("EDGEGW_MAX_CONNECTIONS") is { } connections)
            result = result with { MaxConnections = ParseCount(connections, "EDGEGW_MAX_CONNECTIONS") };
        if (Env("EDGEGW_REQUEST_HEADERS_TIMEOUT") is { } headers)
            result = result with { RequestHeadersTimeout = ParseSeconds(headers, "EDGEGW_REQUEST_HEADERS_TIMEOUT") };
        if (Env("EDGEGW_STREAM_WRITE_TIMEOUT") is { } writes)
            result = result with { StreamWriteTimeout = ParseSeconds(writes, "EDGEGW_STREAM_WRITE_TIMEOUT") };
        if (Config.EnvFlag.IsTrue(Env("DEBUG", "--debug")))
            result = result with { LogLevel = MoreVerbose(result.LogLevel, Microsoft.Extensions.Logging.LogLevel.Information) };
        if (Config.EnvFlag.IsTrue(Env("DETAILED_DEBUG", "--detailed_debug")))
            result = result with { LogLevel = Microsoft.Extensions.Logging.LogLevel.Debug };
        if (Env("SSL_CERTFILE_PATH", "--ssl_certfile_path") is { } certfile)
            result = result with { SslCertfilePath = certfile };
        if (Env("SSL_KEYFILE_PATH", "--ssl_keyfile_path") is { } keyfile)
            result = result with { SslKeyfilePath = keyfile };
        return result;
    }

    private static LogLevel MoreVerbose(LogLevel? current, LogLevel level) =>
        current is { } c && c < level ? c : level;

    private static IPAddress ParseHost(string value, string name)
    {
        if (value == "localhost")
            return IPAddress.Loopback;
        return IPAddress.TryParse(value, out var address)
            ? address
            : throw new ArgumentException($"{name}: '{value}' is not an IP address (use e.g. 0.0.0.0, 127.0.0.1, :: or localhost)");
    }

    private static int ParsePort(string value, string name) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 0 and <= 65535
            ? port
            : throw new ArgumentException($"{name}: '{value}' is not a port number (0-65535)");

    private static long ParseCount(string value, string name) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0
            ? count
            : throw new ArgumentException($"{name}: '{value}' is not a whole number above 0");

    private static TimeSpan ParseSeconds(string value, string name) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : throw new ArgumentException($"{name}: '{value}' is not a whole number of seconds above 0");
}
