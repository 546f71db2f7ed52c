using System.Diagnostics;
using EdgeGw;
using EdgeGw.Api;
using EdgeGw.Cli;
using EdgeGw.Config;

var started = Stopwatch.GetTimestamp();
Func<string, string?> environment = Environment.GetEnvironmentVariable;
if (args is [EdgeGw.Ops.HealthCheckCommand.Name, ..])
    return await EdgeGw.Ops.HealthCheckCommand.RunAsync(args[1..], environment);
if (args is [EdgeGw.Ops.DatabaseCopyCommand.Name, ..])
    return await EdgeGw.Ops.DatabaseCopyCommand.RunAsync(args[1..], Console.Out, Console.Error);
CommandLine options;
try
{
    options = CommandLine.Parse(args, environment);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"edgegw: {e.Message}");
    Console.Error.WriteLine("Run 'edgegw --help' for usage.");
    return 2;
}
if (options.ShowHelp)
{
    Console.WriteLine(CommandLine.Usage);
    return 0;
}
if (options.ShowVersion)
{
    Console.WriteLine($"edgegw {GatewayInfo.Version}");
    return 0;
}
if (options.RunHealth || options.RunTest)
    return await ProxyProbe.RunAsync(options, environment);

// The built-in price table (≈ 5 ms of JSON) loads on the other core while the config is parsed.
_ = Task.Run(static () => EdgeGw.Spend.BuiltInPrices.Instance);
GatewayConfig config;
try
{
    config = ConfigLoader.LoadFile(options.ConfigPath);
    EdgeGw.Spend.PricingTable.Current = EdgeGw.Spend.CostMapSetup.Load(Environment.GetEnvironmentVariable, Console.Out);
}
catch (ConfigException e)
{
    Console.Error.WriteLine($"edgegw: config error: {e.Message}");
    return 1;
}
// Before the first socket: the runtime reads it once.
EdgeGw.Api.InlineIo.Enable();
if (options.ValidateConfig)
{
    Console.WriteLine($"edgegw: config OK ({config.Deployments.Length} deployments)");
    return 0;
}

ServerCertificate? tls = null;
if (options is { SslCertfilePath: { } certfile, SslKeyfilePath: { } keyfile })
{
    try
    {
        tls = ServerCertificate.Load(certfile, keyfile);
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine($"edgegw: {e.Message}");
        return 1;
    }
}
var scheme = tls is null ? "http" : "https";

try
{
    WebApplication built;
    try
    {
        // The CLI's debug flags only ever make logging more verbose than config and LITELLM_LOG ask for.
        var level = EdgeGw.Observability.LogSetup.Level(config.Litellm, environment("LITELLM_LOG"));
        if (options.LogLevel is { } asked && asked < level)
            level = asked;
        built = GatewayHost.Build(config, new EdgeGw.Api.ListenOptions(options.Host, options.Port, tls, options.KeepAliveTimeout)
            {
                MaxConnections = options.MaxConnections ?? EdgeGw.Api.ListenOptions.DefaultMaxConnections,
                RequestHeadersTimeout = options.RequestHeadersTimeout ?? EdgeGw.Api.ListenOptions.DefaultRequestHeadersTimeout,
                StreamWriteTimeout = options.StreamWriteTimeout ?? EdgeGw.Streaming.StreamLimits.DefaultWriteTimeout,
            },
            logging: logging => logging.SetMinimumLevel(level), databasePath: options.DatabasePath);
    }
    catch (EdgeGw.Storage.StoreException e)
    {
        Console.Error.WriteLine($"edgegw: database error: {e.Message}");
        return 1;
    }
    catch (ConfigException e)
    {
        // A deployment naming a credential neither credential_list nor the database holds.
        Console.Error.WriteLine($"edgegw: config error: {e.Message}");
        return 1;
    }
    await using var app = built;
    if (options.SkipServerStartup)
    {
        var database = app.Services.GetRequiredService<GatewayRuntime>().Data.Description;
        Console.WriteLine($"edgegw: database {database} is ready; not starting the server (--skip_server_startup)");
        return 0;
    }
    CommandLineLog.NotNeeded(app, options);
    GatewayHost.LogStartup(app, config);
    EdgeGw.Ops.ShutdownLog.Register(app, config.General.GracefulShutdown);
    await app.StartAsync();
    // Ops.IdlePages gives the compressors' scratch memory back once the UI is prepared.
    _ = EdgeGw.Ops.IdlePages.ReleaseAfterAsync(app.Services.GetRequiredService<RequestDispatcher>().PrepareUiAsync(TimeSpan.FromMilliseconds(250)),
        app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeGw"));
    using var reloader = EdgeGw.Ops.ConfigReloader.OnSignal(app, options.ConfigPath);
    Console.WriteLine($"EdgeGw {GatewayInfo.Version} listening on {scheme}://{options.Host}:{options.Port} " +
        $"({config.Deployments.Length} deployments; ready in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms). " +
        // The phrase LiteLLM's server prints when ready: tutorials and scripts wait for it in the logs.
        "Application startup complete.");
    await app.WaitForShutdownAsync();
    return 0;
}
catch (IOException e)
{
    Console.Error.WriteLine($"edgegw: cannot listen on {options.Host}:{options.Port}: {e.Message}");
    return 1;
}
