using System.Diagnostics.Tracing;
using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using EdgeGw.Api;
using EdgeGw.Config;
using EdgeGw.Tests.Config;
using EdgeGw.Tests.Infrastructure;
using Xunit;

namespace EdgeGw.Tests.Api;

/// <summary>
/// The native binary has every generic service the host builds at start compiled in (src/EdgeGw/startup.rd.xml);
/// one that is missing is built from templates by NativeAOT's type loader on every start (≈ 10–16 ms for the set).
/// </summary>
public sealed partial class StartupGenericsTests
{
    [Fact]
    public async Task ExampleConfigStart_EveryGenericServiceBuiltIsListedInTheRdXml()
    {
        var listed = XDocument.Load(Path.Combine(ConfigLoaderTests.RepoRoot(), "src", "EdgeGw", "startup.rd.xml"))
            .Descendants().Where(e => e.Name.LocalName == "Type")
            .Select(e => AssemblyNames().Replace((string)e.Attribute("Name")!, "").Replace("[[", "[").Replace("]]", "]"))
            .ToHashSet(StringComparer.Ordinal);

        var config = ConfigLoader.LoadFile(Path.Combine(ConfigLoaderTests.RepoRoot(), "config.yaml"),
            name => name == "LITELLM_MASTER_KEY" ? "sk-example" : null);
        var database = TestGateway.NewDatabasePath();
        using var built = new GenericsBuilt();
        int provider;
        try
        {
            await using var app = GatewayHost.Build(config, new ListenOptions(IPAddress.Loopback, 0), databasePath: database);
            await app.StartAsync();
            await app.StopAsync();
            provider = app.Services.GetHashCode();
        }
        finally
        {
            TestGateway.DeleteDatabase(database);
        }

        var seen = built.Names(provider);
        Assert.Contains("Microsoft.Extensions.Options.UnnamedOptionsManager`1[Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions]", seen);
        // A failure names the instantiations to add.
        Assert.Equal([], seen.Where(name => !listed.Contains(name)).Order(StringComparer.Ordinal).ToArray());
    }

    [GeneratedRegex(@",[A-Za-z.]+(?=\]\])")]
    private static partial Regex AssemblyNames();

    /// <summary>
    /// The generic implementation types dependency injection constructs (its CallSiteBuilt events), for one service
    /// provider: tests running beside this one build hosts of their own.
    /// </summary>
    private sealed partial class GenericsBuilt : EventListener
    {
        private readonly List<(int Provider, string Chunk)> _callSites = [];

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Extensions-DependencyInjection")
                EnableEvents(source, EventLevel.Verbose, EventKeywords.All);
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            // A long call site comes in consecutive chunks; the provider is named by its hash code.
            if (e.EventName == "CallSiteBuilt" && e.Payload is { } payload && e.PayloadNames is { } names
                && payload[names.IndexOf("callSite")] is string chunk && payload[names.IndexOf("serviceProviderHashCode")] is int provider)
                lock (_callSites)
                    _callSites.Add((provider, chunk));
        }

        public HashSet<string> Names(int provider)
        {
            string callSites;
            lock (_callSites)
                callSites = string.Concat(_callSites.Where(c => c.Provider == provider).Select(c => c.Chunk));
            return ImplementationTypes().Matches(callSites).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        }

        [GeneratedRegex("\"implementationType\": \"([^\"]*`[^\"]*)\"")]
        private static partial Regex ImplementationTypes();
    }
}
