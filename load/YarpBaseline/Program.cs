using System.Globalization;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

// yarp-baseline --urls http://127.0.0.1:PORT --upstream http://127.0.0.1:UP/
// Every path goes to the one upstream over pooled HTTP/1.1 keep-alive connections, as nginx's proxy_pass baseline does.
var builder = WebApplication.CreateBuilder(args);
var upstream = builder.Configuration["upstream"] ?? throw new ArgumentException("--upstream URL is required");
if (!upstream.StartsWith("http://127.0.0.1:", StringComparison.Ordinal))
    throw new ArgumentException("load runs target loopback addresses only");

// Per-request Information lines would measure the console, not the proxy (nginx runs with access_log off).
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "upstream", Match = new RouteMatch { Path = "{**catch-all}" } }],
    [new ClusterConfig
    {
        ClusterId = "upstream",
        Destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal) { ["nginx"] = new() { Address = upstream } },
        HttpRequest = new ForwarderRequestConfig { Version = System.Net.HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact },
    }]);

var app = builder.Build();
// Whole-process managed allocations, for run.sh's bytes-per-request column (the gateway reports the same in /metrics).
app.MapGet("/_baseline/allocated", () => GC.GetTotalAllocatedBytes(precise: false).ToString(CultureInfo.InvariantCulture));
app.MapReverseProxy();
app.Run();
