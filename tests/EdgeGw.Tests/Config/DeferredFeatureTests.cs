using System.Net;
using System.Text;
using EdgeGw.Api;
using EdgeGw.Config;
using EdgeGw.Observability.Logging;
using EdgeGw.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace EdgeGw.Tests.Config;

/// <summary>LiteLLM features that arrive later are each named at start-up with what EdgeGw does instead.</summary>
public sealed class DeferredFeatureTests
{
    private static GatewayConfig Parse(string yaml, Dictionary<string, string>? env = null) =>
        ConfigLoader.Parse(yaml, name => env?.GetValueOrDefault(name));

    /// <summary>The start-up log lines of a gateway built on <paramref name="config"/>.</summary>
    private static async Task<string[]> StartupLinesAsync(GatewayConfig config)
    {
        var output = new MemoryStream();
        var provider = new ConsoleLoggerProvider(json: false, output);
        var path = TestGateway.NewDatabasePath();
        try
        {
            await using (var app = GatewayHost.Build(config, new ListenOptions(IPAddress.Loopback, 0), logging: l =>
                {
                    l.ClearProviders();
                    l.AddProvider(provider);
                }, databasePath: path))
            {
                GatewayHost.LogStartup(app, config);
            }
            provider.Dispose();
            var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return lines;
        }
        finally
        {
            TestGateway.DeleteDatabase(path);
        }
    }

    [Fact]
    public async Task TutorialProductionConfig_StartsAndSaysWhatEachMissingFeatureDoesInstead()
    {
        // Without DATABASE_URL, which would select PostgreSQL (tested with a real server in Postgres/).
        var environment = TutorialConfigs.SdkLessonProductionEnvironment.Where(e => e.Key != "DATABASE_URL").ToDictionary();
        var config = Parse(TutorialConfigs.SdkLessonProduction, environment);

        var lines = await StartupLinesAsync(config);

        Assert.Equal([200_000, 200_000, 400_000], config.Deployments.Take(3).Select(d => d.Tpm ?? 0));
        Assert.Empty(config.IgnoredKeys);
        // store_model_in_db is acted on now: database models load and the model API answers.
        Assert.True(config.General.StoreModelInDb);
        Assert.DoesNotContain(lines, l => l.Contains("store_model_in_db", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("not acted on", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("response cache", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("password", StringComparison.Ordinal));
        // Its Langfuse keys come through environment_variables: the callback is sent, not deferred.
        Assert.DoesNotContain(lines, l => l.Contains("langfuse", StringComparison.Ordinal));
    }

    [Fact]
    public void AdminUiCredentials_AreActedOnNotDeferred()
    {
        var config = Parse("general_settings: { master_key: sk-m }\n", new() { ["UI_USERNAME"] = "admin", ["UI_PASSWORD"] = "secret" });
        Assert.Empty(config.Deferred);
    }

    [Fact]
    public void PrometheusCallback_IsCoveredByMetrics()
    {
        var config = Parse("""
            general_settings: { master_key: sk-m }
            litellm_settings:
              callbacks: ["prometheus"]
              cache: false
            """);
        Assert.Empty(config.Deferred);
        Assert.Empty(config.IgnoredKeys);
    }

    [Fact]
    public void CallbacksBesidePrometheus_AreNamed()
    {
        var config = Parse("""
            general_settings: { master_key: sk-m }
            litellm_settings:
              callbacks: ["prometheus", "otel"]
              success_callback: datadog
            """);
        var feature = Assert.Single(config.Deferred);
        Assert.Equal(("litellm_settings.success_callback", "datadog"), (feature.Source, feature.Detail));
    }

    [Fact]
    public void OtelCallback_IsActedOnNotDeferred()
    {
        var config = Parse("""
            general_settings: { master_key: sk-m }
            litellm_settings:
              callbacks: ["otel"]
            """);
        Assert.Empty(config.Deferred);
        Assert.Empty(config.IgnoredKeys);
        Assert.NotNull(config.Otel);
    }

    [Fact]
    public void CacheWrittenAsAName_TurnsTheCacheOn()
    {
        var config = Parse("""
            general_settings: { master_key: sk-m, store_model_in_db: "True" }
            litellm_settings: { cache: redis }
            """);
        Assert.Equal(CacheType.Local, config.Cache!.Type);
        Assert.Empty(config.Deferred);
        Assert.True(config.General.StoreModelInDb);
    }
}
