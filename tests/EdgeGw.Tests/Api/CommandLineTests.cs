using System.Net;
using EdgeGw.Cli;

namespace EdgeGw.Tests.Api;

public sealed class CommandLineTests
{
    [Fact]
    public void NoArguments_UseDocumentedDefaults()
    {
        var options = CommandLine.Parse([]);
        Assert.Equal(("config.yaml", IPAddress.Any, 4000, "edgegw.db"), (options.ConfigPath, options.Host, options.Port, options.DatabasePath));
    }

    [Fact]
    public void EveryOption_IsParsedInBothForms()
    {
        var options = CommandLine.Parse(["--config", "/etc/gw.yaml", "--host=127.0.0.1", "--port", "8080", "--db=/var/lib/gw.db"]);
        Assert.Equal(("/etc/gw.yaml", IPAddress.Loopback, 8080, "/var/lib/gw.db"), (options.ConfigPath, options.Host, options.Port, options.DatabasePath));
    }

    [Theory]
    [InlineData(new[] { "--port", "70000" }, "--port")]
    [InlineData(new[] { "--port", "abc" }, "--port")]
    [InlineData(new[] { "--host", "not-an-ip" }, "--host")]
    [InlineData(new[] { "--config" }, "--config needs a value")]
    [InlineData(new[] { "--bogus" }, "unknown option '--bogus'")]
    public void BadArgument_NamesTheOption(string[] args, string expected) =>
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => CommandLine.Parse(args)).Message, StringComparison.Ordinal);
}
