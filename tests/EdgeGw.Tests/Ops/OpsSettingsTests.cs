using EdgeGw.Config;

namespace EdgeGw.Tests.Ops;

public sealed class OpsSettingsTests
{
    private static GatewayConfig Parse(string extra) => ConfigLoader.Parse("""
        model_list:
          - model_name: a
            litellm_params: { model: mock/a }

        """ + extra, _ => null);

    [Fact]
    public void Defaults_ThirtySecondDrainKeyedMetricsTextLogs()
    {
        var config = Parse("general_settings: { master_key: sk-x }");
        Assert.Equal(TimeSpan.FromSeconds(30), config.General.GracefulShutdown);
        Assert.True(config.Litellm.RequireAuthForMetrics);
        Assert.False(config.Litellm.JsonLogs);
        Assert.False(config.Litellm.SetVerbose);
    }

    [Fact]
    public void OpsKeys_AreReadAndNotReportedAsIgnored()
    {
        var config = Parse("""
            general_settings: { master_key: sk-x, graceful_shutdown_seconds: 5 }
            litellm_settings: { json_logs: true, set_verbose: true, require_auth_for_metrics_endpoint: true }
            """);
        Assert.Equal(TimeSpan.FromSeconds(5), config.General.GracefulShutdown);
        Assert.True(config.Litellm.JsonLogs);
        Assert.True(config.Litellm.SetVerbose);
        Assert.True(config.Litellm.RequireAuthForMetrics);
        Assert.Empty(config.IgnoredKeys);
    }

    [Fact]
    public void NegativeDrain_IsRejectedNamingTheKey()
    {
        var e = Assert.Throws<ConfigException>(() => Parse("general_settings: { master_key: sk-x, graceful_shutdown_seconds: -1 }"));
        Assert.Contains("general_settings.graceful_shutdown_seconds", e.Message, StringComparison.Ordinal);
    }
}
