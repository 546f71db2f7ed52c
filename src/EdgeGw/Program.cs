using System.Diagnostics;
using EdgeGw;
using EdgeGw.Api;
using EdgeGw.Cli;
using EdgeGw.Config;

var started = Stopwatch.GetTimestamp();
if (args is [EdgeGw.Ops.HealthCheckCommand.Name, ..])
    return await EdgeGw.Ops.HealthCheckCommand.RunAsync(args[1..]);
CommandLine options;
try
{
    options = CommandLine.Parse(args);
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

try
{
    WebApplication built;
    try
    {
        built = GatewayHost.Build(config, new EdgeGw.Api.ListenOptions(options.Host, options.Port), databasePath: options.DatabasePath);
    }
    catch (EdgeGw.Storage.StoreException e)
    {
        Console.Error.WriteLine($"edgegw: database error: {e.Message}");
        return 1;
    }
    await using var app = built;
    GatewayHost.LogStartup(app, config);
    EdgeGw.Ops.ShutdownLog.Register(app, config.General.GracefulShutdown);
    await app.StartAsync();
    using var reloader = EdgeGw.Ops.ConfigReloader.OnSignal(app, options.ConfigPath);
    Console.WriteLine($"EdgeGw {GatewayInfo.Version} listening on http://{options.Host}:{options.Port} " +
        $"({config.Deployments.Length} deployments; ready in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms)");
    await app.WaitForShutdownAsync();
    return 0;
}
catch (IOException e)
{
    Console.Error.WriteLine($"edgegw: cannot listen on {options.Host}:{options.Port}: {e.Message}");
    return 1;
}
