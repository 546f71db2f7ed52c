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
    private static async Task<(string[] Lines, string DatabasePath)> StartupLinesAsync(GatewayConfig config)
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
            return (lines, Path.GetFullPath(path));
        }
        finally
        {
            TestGateway.DeleteDatabase(path);
        }
    }

    // A production tutorial's config.yaml, literally.
    private const string TutorialConfig = """
        # litellm_config.yaml - production configuration
        model_list:
          # Primary: Claude Sonnet with 3 keys for throughput
          - model_name: claude-primary
            litellm_params:
              model: anthropic/claude-sonnet-4-6
              api_key: os.environ/ANTHROPIC_API_KEY_1
              rpm: 500
              tpm: 200_000
          - model_name: claude-primary
            litellm_params:
              model: anthropic/claude-sonnet-4-6
              api_key: os.environ/ANTHROPIC_API_KEY_2
              rpm: 500
              tpm: 200_000
          - model_name: claude-primary
            litellm_params:
              model: anthropic/claude-sonnet-4-6
              api_key: os.environ/ANTHROPIC_API_KEY_3
              rpm: 1000
              tpm: 400_000 # Higher-tier key
          # Fallback: OpenAI GPT-4o
          - model_name: openai-fallback
            litellm_params:
              model: openai/gpt-4o
              api_key: os.environ/OPENAI_API_KEY
          # Budget model: Claude Haiku for low-cost tasks
          - model_name: claude-budget
            litellm_params:
              model: anthropic/claude-haiku-4-5-20251001
              api_key: os.environ/ANTHROPIC_API_KEY_1
        router_settings:
          routing_strategy: usage-based-routing-v2
          redis_url: os.environ/REDIS_URL
          num_retries: 2
          retry_after: 5
          allowed_fails: 3
          cooldown_time: 60
          fallbacks:
            - {"claude-primary": ["openai-fallback"]}
        litellm_settings:
          success_callback: ["langfuse"]
          failure_callback: ["langfuse"]
          set_verbose: false
          # Semantic caching
          cache: true
          cache_params:
            type: redis
            host: os.environ/REDIS_HOST
            port: 6379
            similarity_threshold: 0.95
            supported_call_types: ["acompletion", "completion"]
        general_settings:
          database_url: os.environ/DATABASE_URL # PostgreSQL for spend tracking
          store_model_in_db: true
          master_key: os.environ/LITELLM_MASTER_KEY
        environment_variables:
          LANGFUSE_PUBLIC_KEY: os.environ/LANGFUSE_PUBLIC_KEY
          LANGFUSE_SECRET_KEY: os.environ/LANGFUSE_SECRET_KEY
        """;

    private static readonly Dictionary<string, string> TutorialEnvironment = new()
    {
        ["ANTHROPIC_API_KEY_1"] = "sk-ant-1", ["ANTHROPIC_API_KEY_2"] = "sk-ant-2", ["ANTHROPIC_API_KEY_3"] = "sk-ant-3",
        ["OPENAI_API_KEY"] = "sk-openai", ["LITELLM_MASTER_KEY"] = "sk-litellm-master", ["REDIS_URL"] = "redis://redis:6379",
        ["REDIS_HOST"] = "redis", ["DATABASE_URL"] = "postgresql://litellm:password@localhost:5432/litellm",
        ["LANGFUSE_PUBLIC_KEY"] = "pk-lf-1", ["LANGFUSE_SECRET_KEY"] = "sk-lf-1",
    };

    [Fact]
    public async Task TutorialProductionConfig_StartsAndSaysWhatEachMissingFeatureDoesInstead()
    {
        var config = Parse(TutorialConfig, TutorialEnvironment);

        var (lines, databasePath) = await StartupLinesAsync(config);

        Assert.Equal([200_000, 200_000, 400_000], config.Deployments.Take(3).Select(d => d.Tpm ?? 0));
        Assert.Empty(config.IgnoredKeys);
        string[] expected =
        [
            $"config: general_settings.database_url is set but EdgeGw does not use PostgreSQL yet: keys, teams, users and spend are stored in SQLite at {databasePath}",
            "config: litellm_settings.cache is set but EdgeGw has no response cache yet: every request goes to its provider",
            "config: litellm_settings.success_callback/failure_callback (langfuse) are not sent yet: each request is in the spend log (/spend/logs), the request log line and /metrics",
            "config: general_settings.store_model_in_db is set but EdgeGw reads models only from the config file (edit it and send SIGHUP to reload)",
            "config: router_settings.redis_url is set but EdgeGw does not use Redis: rate limits, cooldowns and routing state live in its one process (run one gateway per database)",
        ];
        foreach (var line in expected)
            Assert.Contains(lines, l => l.EndsWith(line, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("not acted on", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("password", StringComparison.Ordinal));
    }

    [Fact]
    public void DatabaseUrlOnlyInTheEnvironment_IsStillTold()
    {
        var config = Parse("general_settings: { master_key: sk-m }\n", new() { ["DATABASE_URL"] = "postgresql://u:p@db:5432/litellm" });
        var feature = Assert.Single(config.Deferred);
        Assert.Equal("DATABASE_URL is set but EdgeGw does not use PostgreSQL yet: keys, teams, users and spend are stored in SQLite at /data/edgegw.db",
            feature.Describe("/data/edgegw.db"));
    }

    [Fact]
    public void AdminUiCredentials_AreToldThatThereIsNoUiYet()
    {
        var config = Parse("general_settings: { master_key: sk-m }\n", new() { ["UI_USERNAME"] = "admin", ["UI_PASSWORD"] = "secret" });
        var feature = Assert.Single(config.Deferred);
        Assert.Equal(DeferredFeatureKind.AdminUi, feature.Kind);
        Assert.StartsWith("UI_USERNAME/UI_PASSWORD is set but EdgeGw has no admin UI (/ui) yet", feature.Describe("x"), StringComparison.Ordinal);
        Assert.DoesNotContain("secret", feature.Describe("x"), StringComparison.Ordinal);
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
              success_callback: langfuse
            """);
        var feature = Assert.Single(config.Deferred);
        Assert.Equal(("litellm_settings.success_callback/callbacks", "langfuse, otel"), (feature.Source, feature.Detail));
    }
}
