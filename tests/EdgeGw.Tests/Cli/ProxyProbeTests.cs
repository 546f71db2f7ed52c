using System.Net;
using EdgeGw.Api;
using EdgeGw.Cli;
using EdgeGw.Config;
using EdgeGw.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace EdgeGw.Tests.Cli;

/// <summary>LiteLLM's <c>--health</c> and <c>--test</c> against a running gateway, with LITELLM_MASTER_KEY.</summary>
public sealed class ProxyProbeTests
{
    private const string Config = """
        model_list:
          - model_name: mock-gpt
            litellm_params:
              model: mock/mock-gpt
              mock_response: "a short poem"
        """;

    private static async Task<int> ProbeAgainstGatewayAsync(string[] args, string? keyInEnvironment)
    {
        var env = new Dictionary<string, string> { ["LITELLM_MASTER_KEY"] = "sk-probe" };
        var database = TestGateway.NewDatabasePath();
        var app = GatewayHost.Build(ConfigLoader.Parse(Config, env.GetValueOrDefault), new ListenOptions(IPAddress.Loopback, 0),
            logging: l => l.ClearProviders(), databasePath: database);
        try
        {
            await app.StartAsync();
            var port = GatewayHost.BoundAddress(app).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var options = CommandLine.Parse([.. args, "--host", "127.0.0.1", "--port", port]);
            return await ProxyProbe.RunAsync(options, name => name == "LITELLM_MASTER_KEY" ? keyInEnvironment : null);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            TestGateway.DeleteDatabase(database);
        }
    }

    [Fact]
    public async Task Health_WithMasterKeyInEnvironment_ExitsZero() =>
        Assert.Equal(0, await ProbeAgainstGatewayAsync(["--health"], "sk-probe"));

    [Fact]
    public async Task TestWithModel_SendsAChatCompletionAndExitsZero() =>
        Assert.Equal(0, await ProbeAgainstGatewayAsync(["--test", "--model", "mock-gpt"], "sk-probe"));

    [Fact]
    public async Task Health_WithoutKey_ExitsOne() =>
        Assert.Equal(1, await ProbeAgainstGatewayAsync(["--health"], null));
}
