using System.Net;
using EdgeGw.Config;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace EdgeGw.Api;

/// <summary>Where and how to listen: HTTPS when <paramref name="Tls"/> is given.</summary>
internal sealed record ListenOptions(IPAddress Address, int Port, ServerCertificate? Tls = null, TimeSpan? KeepAliveTimeout = null)
{
    // Well under a default 1M-descriptor limit yet far above one host's real clients; idle floods beyond it wait in the backlog.
    public const long DefaultMaxConnections = 10_000;
    public static readonly TimeSpan DefaultRequestHeadersTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Open connections at most (<c>EDGEGW_MAX_CONNECTIONS</c>); an upgraded connection counts too.</summary>
    public long MaxConnections { get; init; } = DefaultMaxConnections;
    /// <summary>A connection that has not sent a request's headers by then is closed, silent or slow alike.</summary>
    public TimeSpan RequestHeadersTimeout { get; init; } = DefaultRequestHeadersTimeout;
    /// <summary>A stream whose client does not take a write within this is ended and billed (<c>EDGEGW_STREAM_WRITE_TIMEOUT</c>).</summary>
    public TimeSpan StreamWriteTimeout { get; init; } = Streaming.StreamLimits.DefaultWriteTimeout;
}

/// <summary>Builds the Kestrel app around a config: used by Program and by the in-process tests.</summary>
internal static partial class GatewayHost
{
    /// <summary>
    /// Builds the app; opens the PostgreSQL database the config or DATABASE_URL names, else opens and
    /// migrates the SQLite file <paramref name="databasePath"/> (throws
    /// <see cref="Storage.StoreException"/> when it cannot). The spend writer is drained and the
    /// database closed once the server has stopped, after in-flight requests finished.
    /// </summary>
    public static WebApplication Build(GatewayConfig config, ListenOptions listen, TimeProvider? time = null, Action<ILoggingBuilder>? logging = null,
        string databasePath = "edgegw.db")
    {
        // The empty builder, not the slim one: no appsettings.json watcher (it woke on every SQLite
        // write in the working directory, ≈ 4% of CPU under load) and no host-filtering middleware.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseKestrelCore();
        // Kestrel's reads continue on the epoll thread too; alone (without the runtime's inline completions) it measured worse.
        if (InlineIo.Enabled)
            builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets.SocketTransportOptions>(o => o.UnsafePreferInlineScheduling = true);
        Observability.LogSetup.Configure(builder.Logging, config.Litellm, Environment.GetEnvironmentVariable);
        logging?.Invoke(builder.Logging);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = config.General.GracefulShutdown);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // The gateway enforces max_request_size_mb itself, with an enveloped 413.
            kestrel.Limits.MaxRequestBodySize = null;
            // The cap is ConnectionGate's: Kestrel's would refuse newcomers instead of evicting silent sockets.
            kestrel.Limits.MaxConcurrentConnections = null;
            kestrel.Limits.MaxConcurrentUpgradedConnections = listen.MaxConnections;
            kestrel.Limits.RequestHeadersTimeout = listen.RequestHeadersTimeout;
            if (listen.KeepAliveTimeout is { } keepAlive)
                kestrel.Limits.KeepAliveTimeout = keepAlive;
            var gate = new ConnectionGate(listen.MaxConnections, listen.RequestHeadersTimeout);
            kestrel.Listen(listen.Address, listen.Port, endpoint =>
            {
                endpoint.Use(gate.Middleware);
                if (listen.Tls is { } tls)
                    endpoint.UseHttps(https => (https.ServerCertificate, https.ServerCertificateChain) = (tls.Certificate, tls.Chain));
                endpoint.Use(ProtocolErrorBodies.Middleware());
            });
        });
        time ??= TimeProvider.System;
        var database = Storage.DatabaseChoice.For(config.General, databasePath);
        // SQLite opens and migrates on the other core while the host is built: ≈ 16 and 15 ms of the start, one after the other before.
        var opening = database is Storage.DatabaseChoice.Sqlite sqlite ? Task.Run(() => Storage.SqliteStore.Open(sqlite.Path)) : null;
        builder.Services.AddSingleton(services =>
        {
            var loggers = services.GetRequiredService<ILoggerFactory>();
            // Redis first: with it, account changes travel over its pub/sub instead of PostgreSQL's NOTIFY.
            var redis = config.Redis is { } settings ? Shared.RedisConnection.Open(settings, loggers.CreateLogger("EdgeGw.Redis")) : null;
            const string requestLog = Observability.GatewayTelemetry.RequestLogCategory;
            // The factory's providers are these: with EdgeGw's console logger the only one, nothing else would see the line.
            var console = services.GetServices<ILoggerProvider>().ToArray() is [Observability.Logging.ConsoleLoggerProvider only] ? only.Create(requestLog) : null;
            var runtime = new GatewayRuntime(config, time, Storage.GatewayData.Open(database, time, loggers, redis, opening),
                new Observability.GatewayTelemetry(loggers.CreateLogger(requestLog), console), redis);
            if (redis is not null)
                runtime.RouterState = new Shared.RedisRouterState(redis, runtime.Health, time, loggers.CreateLogger("EdgeGw.Redis"));
            return runtime;
        });
        builder.Services.AddSingleton<RequestDispatcher>();

        WebApplication app;
        GatewayRuntime runtime;
        RequestDispatcher dispatcher;
        try
        {
            app = builder.Build();
            dispatcher = app.Services.GetRequiredService<RequestDispatcher>();
            runtime = app.Services.GetRequiredService<GatewayRuntime>();
        }
        catch when (opening is not null)
        {
            // The runtime never took the database: close it rather than leave the file open.
            opening.ContinueWith(static t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            throw;
        }
        runtime.Stopping = app.Lifetime.ApplicationStopping;
        runtime.StreamLimits = new Streaming.StreamLimits { WriteTimeout = listen.StreamWriteTimeout };
        // Process-wide like the ActivitySource it listens to; disposed last so spans of drained requests still leave.
        var tracing = config.Otel is { } otel
            ? Observability.Otel.OtelTracing.Start(otel, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeGw.Otel"))
            : null;
        runtime.Telemetry.Metrics.OtelExport = tracing?.Health;
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            tracing?.Dispose();
            if (tracing is not null)
                Observability.Otel.UpstreamTraceparent.Enabled = false;
            runtime.RouterState?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            runtime.Limits.Shared?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            runtime.Data.DisposeAsync().AsTask().GetAwaiter().GetResult();
            runtime.Redis?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        });
        app.Run(dispatcher.DispatchAsync);
        return app;
    }

    /// <summary>The bound address after start, e.g. for port 0 in tests.</summary>
    public static Uri BoundAddress(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
    }

    public static void LogStartup(WebApplication app, GatewayConfig config)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeGw");
        foreach (var warning in config.Warnings)
            LogConfigWarning(logger, warning);
        foreach (var feature in config.Deferred)
            LogConfigWarning(logger, feature.Describe());
        if (config.IgnoredKeys.Length > 0)
            LogIgnoredKeys(logger, string.Join(", ", config.IgnoredKeys));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "config: {Warning}")]
    private static partial void LogConfigWarning(ILogger logger, string warning);

    [LoggerMessage(Level = LogLevel.Warning, Message = "config: these keys are accepted but not acted on by this version: {Keys}")]
    private static partial void LogIgnoredKeys(ILogger logger, string keys);
}
