using System.Net;
using EdgeGw.Api;
using EdgeGw.Config;
using EdgeGw.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace EdgeGw.Tests.Config;

/// <summary>LiteLLM's fallback: no <c>general_settings.master_key</c> means <c>LITELLM_MASTER_KEY</c>.</summary>
public sealed class MasterKeyFromEnvironmentTests
{
    private const string NoGeneralSettings = """
        model_list:
          - model_name: mock-gpt
            litellm_params:
              model: mock/mock-gpt
              mock_response: "hi"
        """;

    private static GatewayConfig Parse(string yaml, Dictionary<string, string> env) =>
        ConfigLoader.Parse(yaml, name => env.GetValueOrDefault(name));

    [Fact]
    public void NoGeneralSettings_UsesLitellmMasterKeyFromEnvironment() =>
        Assert.Equal("sk-from-env", Parse(NoGeneralSettings, new() { ["LITELLM_MASTER_KEY"] = "sk-from-env" }).General.MasterKey);

    [Fact]
    public void ConfigMasterKey_WinsOverEnvironment() =>
        Assert.Equal("sk-config", Parse(NoGeneralSettings + "\ngeneral_settings:\n  master_key: sk-config\n",
            new() { ["LITELLM_MASTER_KEY"] = "sk-from-env" }).General.MasterKey);

    [Fact]
    public void EnvironmentVariablesSection_CanSupplyTheMasterKey() =>
        Assert.Equal("sk-from-section", Parse(NoGeneralSettings + "\nenvironment_variables:\n  LITELLM_MASTER_KEY: sk-from-section\n", []).General.MasterKey);

    [Fact]
    public void NeitherConfigNorEnvironment_RefusesNamingBoth()
    {
        var message = Assert.Throws<ConfigException>(() => Parse(NoGeneralSettings, [])).Message;
        Assert.StartsWith("general_settings.master_key: required", message, StringComparison.Ordinal);
        Assert.Contains("LITELLM_MASTER_KEY environment variable", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoGeneralSettingsAndKeyInEnvironment_GatewayAcceptsThatKey()
    {
        var config = Parse(NoGeneralSettings, new() { ["LITELLM_MASTER_KEY"] = "sk-env-master" });
        var database = TestGateway.NewDatabasePath();
        await using (var app = GatewayHost.Build(config, new ListenOptions(IPAddress.Loopback, 0), logging: l => l.ClearProviders(), databasePath: database))
        {
            await app.StartAsync();
            using var client = new HttpClient { BaseAddress = GatewayHost.BoundAddress(app) };
            using var anonymous = await client.GetAsync(new Uri("/v1/models", UriKind.Relative));
            client.DefaultRequestHeaders.Authorization = new("Bearer", "sk-env-master");
            using var models = await client.GetAsync(new Uri("/v1/models", UriKind.Relative));
            Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.OK), (anonymous.StatusCode, models.StatusCode));
            await app.StopAsync();
        }
        TestGateway.DeleteDatabase(database);
    }
}
