using EdgeGw.Config;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Callbacks;

/// <summary>LiteLLM's langfuse callback config: the LANGFUSE_* environment, plain or through environment_variables.</summary>
public sealed class LangfuseSettingsTests
{
    private static GatewayConfig Parse(string yaml, Dictionary<string, string>? env = null) => CallbackSettingsTests.Parse(yaml, env);

    private static readonly Dictionary<string, string> Keys = new() { ["LANGFUSE_PUBLIC_KEY"] = "pk-lf-1", ["LANGFUSE_SECRET_KEY"] = "sk-lf-1" };

    [Fact]
    public void TutorialProductionConfig_SendsBothOutcomesToLangfuseCloud()
    {
        var config = ConfigLoader.Parse(TutorialConfigs.SdkLessonProduction, name => TutorialConfigs.SdkLessonProductionEnvironment.GetValueOrDefault(name));

        var langfuse = config.Callbacks!.Langfuse!;
        Assert.Equal("https://cloud.langfuse.com/api/public/ingestion", langfuse.IngestionUrl.ToString());
        Assert.Equal(("pk-lf-1", "sk-lf-1"), (langfuse.PublicKey, langfuse.SecretKey));
        Assert.True(langfuse.OnSuccess && langfuse.OnFailure);
        Assert.Equal(TimeSpan.FromSeconds(1), langfuse.FlushInterval);
        Assert.DoesNotContain(config.Deferred, f => f.Detail.Contains("langfuse", StringComparison.Ordinal));
    }

    [Fact]
    public void SuccessCallbackOnly_SendsSuccessesOnly()
    {
        var langfuse = Parse("litellm_settings: { success_callback: [langfuse] }", Keys).Callbacks!.Langfuse!;

        Assert.True(langfuse.OnSuccess);
        Assert.False(langfuse.OnFailure);
    }

    [Fact]
    public void LangfuseRelease_IsTheTracesDefaultRelease()
    {
        var env = new Dictionary<string, string>(Keys) { ["LANGFUSE_RELEASE"] = "2026.12" };

        Assert.Equal("2026.12", Parse("litellm_settings: { callbacks: [langfuse] }", env).Callbacks!.Langfuse!.Release);
    }

    [Fact]
    public void HostWithoutScheme_IsHttpAsOnLiteLlm()
    {
        var env = new Dictionary<string, string>(Keys) { ["LANGFUSE_HOST"] = "langfuse.internal:3000" };

        var langfuse = Parse("litellm_settings: { callbacks: [langfuse] }", env).Callbacks!.Langfuse!;

        Assert.Equal("http://langfuse.internal:3000/api/public/ingestion", langfuse.IngestionUrl.ToString());
    }

    [Fact]
    public void BaseUrlWithoutHost_IsUsed()
    {
        var env = new Dictionary<string, string>(Keys) { ["LANGFUSE_BASE_URL"] = "https://us.cloud.langfuse.com/" };

        var langfuse = Parse("litellm_settings: { callbacks: [langfuse] }", env).Callbacks!.Langfuse!;

        Assert.Equal("https://us.cloud.langfuse.com/api/public/ingestion", langfuse.IngestionUrl.ToString());
    }

    [Fact]
    public void MissingSecretKey_StartsWithAWarningAndSendsNothing()
    {
        var config = Parse("litellm_settings: { callbacks: [langfuse] }", new() { ["LANGFUSE_PUBLIC_KEY"] = "pk-lf-1" });

        Assert.Null(config.Callbacks!.Langfuse);
        var warning = Assert.Single(config.Warnings, w => w.Contains("langfuse", StringComparison.Ordinal));
        Assert.Contains("LANGFUSE_SECRET_KEY is not set", warning, StringComparison.Ordinal);
        Assert.Empty(config.Deferred);
    }

    [Fact]
    public void BadFlushInterval_NamesTheVariable()
    {
        var env = new Dictionary<string, string>(Keys) { ["LANGFUSE_FLUSH_INTERVAL"] = "soon" };

        var error = Assert.Throws<ConfigException>(() => Parse("litellm_settings: { callbacks: [langfuse] }", env));

        Assert.StartsWith("LANGFUSE_FLUSH_INTERVAL:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_PrintWithoutTheSecretKey()
    {
        var langfuse = Parse("litellm_settings: { callbacks: [langfuse] }", Keys).Callbacks!.Langfuse!;

        Assert.DoesNotContain("sk-lf-1", langfuse.ToString(), StringComparison.Ordinal);
    }
}
