using System.Net;
using EdgeGw.Cli;
using Microsoft.Extensions.Logging;

namespace EdgeGw.Tests.Cli;

public sealed class CommandLineTests
{
    private static CommandLine Parse(string[] args, Dictionary<string, string>? env = null) =>
        CommandLine.Parse(args, name => env?.GetValueOrDefault(name));

    private static string Problem(string[] args, Dictionary<string, string>? env = null) =>
        Assert.Throws<ArgumentException>(() => Parse(args, env)).Message;

    [Fact]
    public void NoArguments_UseDocumentedDefaults()
    {
        var options = Parse([]);
        Assert.Equal(("config.yaml", IPAddress.Any, 4000, "edgegw.db", (LogLevel?)null, (string?)null),
            (options.ConfigPath, options.Host, options.Port, options.DatabasePath, options.LogLevel, options.SslCertfilePath));
        Assert.Empty(options.NotNeeded);
    }

    [Fact]
    public void EveryOption_IsParsedInBothForms()
    {
        var options = Parse(["--config", "/etc/gw.yaml", "--host=127.0.0.1", "--port", "8080", "--db=/var/lib/gw.db"]);
        Assert.Equal(("/etc/gw.yaml", IPAddress.Loopback, 8080, "/var/lib/gw.db"), (options.ConfigPath, options.Host, options.Port, options.DatabasePath));
    }

    [Fact]
    public void ShortForms_AreLiteLlms()
    {
        var options = Parse(["-c", "/app/config.yaml", "-p", "8000"]);
        Assert.Equal(("/app/config.yaml", 8000), (options.ConfigPath, options.Port));
        Assert.True(Parse(["-v"]).ShowVersion);
    }

    [Fact]
    public void ComposeCommandWithNumWorkers_StartsAndSaysWhyWorkersAreNotNeeded()
    {
        var options = Parse(["--config", "/app/config.yaml", "--port", "4000", "--num_workers", "4"]);
        Assert.Equal(("/app/config.yaml", 4000), (options.ConfigPath, options.Port));
        Assert.Equal(["--num_workers 4: not needed, one EdgeGw process already uses every core"], options.NotNeeded);
    }

    [Fact]
    public void ComposeCommandWithDetailedDebug_LogsAtDebugLevel()
    {
        var options = Parse("--config /app/config.yaml --port 4000 --detailed_debug".Split(' '));
        Assert.Equal(("/app/config.yaml", 4000, LogLevel.Debug), (options.ConfigPath, options.Port, options.LogLevel));
        Assert.Empty(options.NotNeeded);
    }

    [Fact]
    public void QuickStartCommand_ParsesAsTheDockerRunLine() =>
        Assert.Equal(("/app/config.yaml", 4000), (Parse(["--config", "/app/config.yaml", "--port", "4000"]) is var o ? (o.ConfigPath, o.Port) : default));

    [Theory]
    [InlineData(new[] { "--debug" }, LogLevel.Information)]
    [InlineData(new[] { "--detailed_debug" }, LogLevel.Debug)]
    [InlineData(new[] { "--detailed_debug", "--debug" }, LogLevel.Debug)]
    [InlineData(new[] { "--debug", "--detailed_debug" }, LogLevel.Debug)]
    public void DebugFlags_SetTheMostVerboseLevelAsked(string[] args, LogLevel expected) =>
        Assert.Equal(expected, Parse(args).LogLevel);

    [Theory]
    [InlineData("DETAILED_DEBUG", "True", LogLevel.Debug)]
    [InlineData("DEBUG", "true", LogLevel.Information)]
    [InlineData("DEBUG", "1", LogLevel.Information)]
    public void DebugVariables_AreReadLikeLiteLlms(string name, string value, LogLevel expected) =>
        Assert.Equal(expected, Parse([], new() { [name] = value }).LogLevel);

    [Fact]
    public void DebugVariableFalse_LeavesTheLevelToTheConfig() =>
        Assert.Null(Parse([], new() { ["DEBUG"] = "False", ["DETAILED_DEBUG"] = "0" }).LogLevel);

    [Fact]
    public void EnvironmentVariables_AreDefaultsTheCommandLineOverrides()
    {
        var env = new Dictionary<string, string>
        {
            ["PORT"] = "8080", ["HOST"] = "127.0.0.1", ["CONFIG_FILE_PATH"] = "/etc/litellm.yaml", ["EDGEGW_DB"] = "/data/edgegw.db",
            ["SSL_CERTFILE_PATH"] = "/certs/cert.pem", ["SSL_KEYFILE_PATH"] = "/certs/key.pem", ["KEEPALIVE_TIMEOUT"] = "75",
        };
        var fromEnv = Parse([], env);
        Assert.Equal((8080, IPAddress.Loopback, "/etc/litellm.yaml", "/data/edgegw.db", "/certs/cert.pem", "/certs/key.pem", TimeSpan.FromSeconds(75)),
            (fromEnv.Port, fromEnv.Host, fromEnv.ConfigPath, fromEnv.DatabasePath, fromEnv.SslCertfilePath, fromEnv.SslKeyfilePath, fromEnv.KeepAliveTimeout));
        var overridden = Parse(["--port", "4000", "--host", "0.0.0.0", "--config", "/app/config.yaml", "--db", "/tmp/x.db"], env);
        Assert.Equal((4000, IPAddress.Any, "/app/config.yaml", "/tmp/x.db"), (overridden.Port, overridden.Host, overridden.ConfigPath, overridden.DatabasePath));
    }

    [Fact]
    public void ConnectionLimitVariables_SetKestrelLimits()
    {
        var parsed = Parse([], new Dictionary<string, string> { ["EDGEGW_MAX_CONNECTIONS"] = "500", ["EDGEGW_REQUEST_HEADERS_TIMEOUT"] = "5" });
        Assert.Equal((500L, TimeSpan.FromSeconds(5)), (parsed.MaxConnections, parsed.RequestHeadersTimeout));
        Assert.Contains("EDGEGW_MAX_CONNECTIONS", Problem([], new Dictionary<string, string> { ["EDGEGW_MAX_CONNECTIONS"] = "0" }), StringComparison.Ordinal);
    }

    [Fact]
    public void StreamWriteTimeoutVariable_IsReadInSeconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(7), Parse([], new Dictionary<string, string> { ["EDGEGW_STREAM_WRITE_TIMEOUT"] = "7" }).StreamWriteTimeout);
        Assert.Contains("EDGEGW_STREAM_WRITE_TIMEOUT", Problem([], new Dictionary<string, string> { ["EDGEGW_STREAM_WRITE_TIMEOUT"] = "0" }), StringComparison.Ordinal);
    }

    [Fact]
    public void SslPaths_AreTakenFromTheCommandLine()
    {
        var options = Parse(["--ssl_keyfile_path", "/certs/key.pem", "--ssl_certfile_path", "/certs/cert.pem"]);
        Assert.Equal(("/certs/cert.pem", "/certs/key.pem"), (options.SslCertfilePath, options.SslKeyfilePath));
    }

    [Fact]
    public void SslCertificateWithoutKey_IsRefused() =>
        Assert.Contains("go together", Problem(["--ssl_certfile_path", "/certs/cert.pem"]), StringComparison.Ordinal);

    [Theory]
    [InlineData("--validate_config")]
    [InlineData("--skip_server_startup")]
    [InlineData("--health")]
    [InlineData("--test")]
    public void OneShotFlags_AreHonoured(string flag)
    {
        var options = Parse([flag]);
        Assert.True(flag switch
        {
            "--validate_config" => options.ValidateConfig,
            "--skip_server_startup" => options.SkipServerStartup,
            "--health" => options.RunHealth,
            _ => options.RunTest,
        });
    }

    [Fact]
    public void TestWithModel_UsesThatModel() =>
        Assert.Equal("gpt-4o", Parse(["--test", "--model", "gpt-4o"]).TestModel);

    /// <summary>Every option of LiteLLM's proxy_cli.py that EdgeGw does not need: accepted, its value consumed, one line saying why.</summary>
    public static TheoryData<string[], string> NotNeededOptions => new()
    {
        { ["--num_workers", "8"], "--num_workers 8: not needed, one EdgeGw process already uses every core" },
        { ["--granian_threads", "2"], "--granian_threads 2: not needed" },
        { ["--run_gunicorn"], "--run_gunicorn: not needed" },
        { ["--run_hypercorn"], "--run_hypercorn: not needed" },
        { ["--run_granian"], "--run_granian: not needed" },
        { ["--timeout_worker_healthcheck", "30"], "--timeout_worker_healthcheck 30: not needed" },
        { ["--max_requests_before_restart", "10000"], "--max_requests_before_restart 10000: not needed" },
        { ["--max_requests_before_restart_jitter", "100"], "--max_requests_before_restart_jitter 100: not needed" },
        { ["--limit_concurrency", "500"], "--limit_concurrency 500: not applied, cap concurrent requests with general_settings.global_max_parallel_requests" },
        { ["--telemetry", "False"], "--telemetry False: not needed, EdgeGw sends no telemetry" },
        { ["--local"], "--local: not needed" },
        { ["--log_config", "log.json"], "--log_config log.json: not applied" },
        { ["--reload"], "--reload: not needed, send SIGHUP" },
        { ["--prometheus_metrics_port", "9090"], "--prometheus_metrics_port 9090: not needed" },
        { ["--ciphers", "ECDHE-RSA-AES256-GCM-SHA384"], "--ciphers ECDHE-RSA-AES256-GCM-SHA384: not applied" },
        { ["--use_prisma_db_push"], "--use_prisma_db_push: not needed, EdgeGw keeps keys and spend in SQLite" },
        { ["--use_v2_migration_resolver"], "--use_v2_migration_resolver: not needed" },
        { ["--use_legacy_migration_resolver"], "--use_legacy_migration_resolver: not needed" },
        { ["--enforce_prisma_migration_check"], "--enforce_prisma_migration_check: not needed" },
        { ["--iam_token_db_auth"], "--iam_token_db_auth: not needed" },
        { ["--azure_postgresql_auth"], "--azure_postgresql_auth: not needed" },
        { ["--use_queue"], "--use_queue: not needed" },
        { ["--test_async"], "--test_async: not needed" },
        { ["--num_requests", "10"], "--num_requests 10: not needed" },
        { ["--setup"], "--setup: not available" },
        { ["--model", "gpt-4o"], "--model gpt-4o: not applied, EdgeGw serves the models and settings of its config file" },
        { ["-m", "gpt-4o"], "-m gpt-4o: not applied" },
        { ["--alias", "fast"], "--alias fast: not applied" },
        { ["--api_base", "http://localhost:8000"], "--api_base http://localhost:8000: not applied" },
        { ["--api_version", "2024-10-21"], "--api_version 2024-10-21: not applied" },
        { ["--add_key", "k"], "--add_key k: not applied" },
        { ["--headers", "{}"], "--headers {}: not applied" },
        { ["--temperature", "0.2"], "--temperature 0.2: not applied" },
        { ["--max_tokens", "256"], "--max_tokens 256: not applied" },
        { ["--request_timeout", "600"], "--request_timeout 600: not applied" },
        { ["--max_budget", "10"], "--max_budget 10: not applied" },
        { ["--drop_params"], "--drop_params: not applied" },
        { ["--add_function_to_prompt"], "--add_function_to_prompt: not applied" },
        { ["--save"], "--save: not applied" },
    };

    [Theory]
    [MemberData(nameof(NotNeededOptions))]
    public void LiteLlmOptionNotNeeded_IsAcceptedWithOneLineSayingWhy(string[] args, string expectedLine)
    {
        // Followed by --port: a value-taking option must consume exactly its value.
        var options = Parse([.. args, "--port", "4001"]);
        Assert.Equal(4001, options.Port);
        var line = Assert.Single(options.NotNeeded);
        Assert.StartsWith(expectedLine, line, StringComparison.Ordinal);
    }

    [Fact]
    public void NotNeededEnvironmentVariable_GetsItsLineToo() =>
        Assert.Equal(["NUM_WORKERS=4: not needed, one EdgeGw process already uses every core"], Parse([], new() { ["NUM_WORKERS"] = "4" }).NotNeeded);

    [Fact]
    public void NotNeededOptionOnCommandLine_IsNotReportedTwiceForItsVariable() =>
        Assert.Single(Parse(["--num_workers", "8"], new() { ["NUM_WORKERS"] = "4" }).NotNeeded);

    [Theory]
    [InlineData(new[] { "--port", "70000" }, "--port")]
    [InlineData(new[] { "--port", "abc" }, "--port")]
    [InlineData(new[] { "--host", "not-an-ip" }, "--host")]
    [InlineData(new[] { "--config" }, "--config needs a value")]
    [InlineData(new[] { "--telemetry" }, "--telemetry needs a value")]
    [InlineData(new[] { "--num_workers", "--port", "4000" }, "--num_workers needs a value")]
    [InlineData(new[] { "--detailed_debug=true" }, "--detailed_debug is a flag and takes no value")]
    [InlineData(new[] { "--bogus" }, "unknown option '--bogus'")]
    [InlineData(new[] { "--numworkers", "4" }, "unknown option '--numworkers'")]
    [InlineData(new[] { "serve" }, "unexpected argument 'serve'")]
    [InlineData(new[] { "--keepalive_timeout", "0" }, "--keepalive_timeout")]
    public void BadArgument_NamesTheOption(string[] args, string expected) =>
        Assert.Contains(expected, Problem(args), StringComparison.Ordinal);

    [Fact]
    public void BadPortVariable_NamesTheVariable() =>
        Assert.StartsWith("PORT: 'http' is not a port number", Problem([], new() { ["PORT"] = "http" }), StringComparison.Ordinal);

    [Fact]
    public void BadPortVariableWithPortOption_IsNotRead() =>
        Assert.Equal(4000, Parse(["--port", "4000"], new() { ["PORT"] = "tcp://10.0.0.7:4000" }).Port);
}
