using System.Diagnostics.Tracing;
using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using EdgeGw.Api;
using EdgeGw.Config;
using EdgeGw.Tests.Config;
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
        var database = Path.Combine(Path.GetTempPath(), $"edgegw-generics-{Guid.NewGuid():N}.db");
        using var built = new GenericsBuilt();
        try
        {
            await using var app = GatewayHost.Build(config, new ListenOptions(IPAddress.Loopback, 0), databasePath: database);
            await app.StartAsync();
            await app.StopAsync();
        }
        finally
        {
            foreach (var file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(database) + "*"))
                File.Delete(file);
        }

        var seen = built.Names();
        Assert.Contains("Microsoft.Extensions.Options.UnnamedOptionsManager`1[Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions]", seen);
        // A failure names the instantiations to add.
        Assert.Equal([], seen.Where(name => !listed.Contains(name)).Order(StringComparer.Ordinal).ToArray());
    }

    [GeneratedRegex(@",[A-Za-z.]+(?=\]\])")]
    private static partial Regex AssemblyNames();

    /// <summary>The generic implementation types dependency injection constructs (its CallSiteBuilt events).</summary>
    private sealed partial class GenericsBuilt : EventListener
    {
        private readonly List<string> _callSites = [];

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Extensions-DependencyInjection")
                EnableEvents(source, EventLevel.Verbose, EventKeywords.All);
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName == "CallSiteBuilt" && e.Payload is [_, string callSite, ..])
                lock (_callSites)
                    _callSites.Add(callSite);
        }

        public HashSet<string> Names()
        {
            lock (_callSites)
                return _callSites.SelectMany(site => ImplementationTypes().Matches(site)).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        }

        [GeneratedRegex("\"implementationType\": \"([^\"]*`[^\"]*)\"")]
        private static partial Regex ImplementationTypes();
    }
}
