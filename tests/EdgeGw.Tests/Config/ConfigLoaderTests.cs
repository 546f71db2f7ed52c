using EdgeGw.Config;

namespace EdgeGw.Tests.Config;

public sealed class ConfigLoaderTests
{
    private static GatewayConfig Parse(string yaml, Dictionary<string, string>? env = null) =>
        ConfigLoader.Parse(yaml, name => env?.GetValueOrDefault(name));

    private static string Problem(string yaml, Dictionary<string, string>? env = null) =>
        Assert.Throws<ConfigException>(() => Parse(yaml, env)).Message;

    private const string Master = "general_settings:\n  master_key: sk-m\n";

    [Fact]
    public void FullLiteLlmEntry_MapsEveryField()
    {
        var config = Parse("""
            model_list:
              - model_name: gpt
                litellm_params:
                  model: openai/gpt-4o
                  api_key: sk-abc
                  api_base: https://example.test/v1/
                  api_version: "2024-10-21"
                  rpm: 100
                  tpm: 20000
                  weight: 2.5
                  order: 1
                  timeout: 30
                  stream_timeout: 5.5
                  max_retries: 3
                  input_cost_per_token: 0.0000025
                  output_cost_per_token: 0.00001
                  extra_headers:
                    X-Custom: yes-please
                model_info:
                  id: gpt-primary
                  max_tokens: 8192
            general_settings:
              master_key: sk-m
              max_request_size_mb: 2
            """);
        var d = Assert.Single(config.Deployments);
        Assert.Equal(("gpt", "openai", "gpt-4o", "gpt-primary"), (d.ModelName, d.Provider, d.ModelId, d.Id));
        Assert.Equal("sk-abc", d.ApiKey);
        Assert.Equal("https://example.test/v1", d.ApiBase);
        Assert.Equal("2024-10-21", d.ApiVersion);
        Assert.Equal((100, 20000, 2.5, 1, 3), (d.Rpm, d.Tpm, d.Weight, d.Order, d.MaxRetries));
        Assert.Equal(TimeSpan.FromSeconds(30), d.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(5.5), d.StreamTimeout);
        Assert.Equal(0.0000025m, d.InputCostPerToken);
        Assert.Equal(0.00001m, d.OutputCostPerToken);
        Assert.Equal("yes-please", d.ExtraHeaders["x-custom"]);
        Assert.Equal(8192, d.MaxTokens);
        Assert.Equal(2L * 1024 * 1024, config.General.MaxRequestSizeBytes);
    }

    [Fact]
    public void EnvironmentReference_ResolvesAnyValue()
    {
        var config = Parse("""
            model_list:
              - model_name: gpt
                litellm_params:
                  model: openai/gpt-4o
                  api_key: os.environ/MY_KEY
                  api_base: os.environ/MY_BASE
                  rpm: os.environ/MY_RPM
            general_settings:
              master_key: os.environ/LITELLM_MASTER_KEY
            """, new() { ["MY_KEY"] = "sk-from-env", ["MY_BASE"] = "http://10.0.0.1:8000/v1", ["MY_RPM"] = "42", ["LITELLM_MASTER_KEY"] = "sk-master" });
        var d = config.Deployments[0];
        Assert.Equal(("sk-from-env", "http://10.0.0.1:8000/v1", 42), (d.ApiKey, d.ApiBase, d.Rpm));
        Assert.Equal("sk-master", config.General.MasterKey);
    }

    [Fact]
    public void EnvironmentVariablesSection_FeedsReferences()
    {
        var config = Parse("""
            environment_variables:
              MY_KEY: sk-from-section
            model_list:
              - model_name: gpt
                litellm_params: { model: openai/gpt-4o, api_key: os.environ/MY_KEY }
            general_settings: { master_key: sk-m }
            """);
        Assert.Equal("sk-from-section", config.Deployments[0].ApiKey);
    }

    [Fact]
    public void UnsetEnvironmentReference_IsWarnedAboutWithItsPath()
    {
        var config = Parse($$"""
            model_list:
              - model_name: gpt
                litellm_params: { model: openai/gpt-4o, api_key: os.environ/NOT_SET }
            {{Master}}
            """);
        Assert.Null(config.Deployments[0].ApiKey);
        Assert.Contains("model_list[0].litellm_params.api_key: environment variable NOT_SET is not set", config.Warnings);
    }

    [Fact]
    public void ProviderDefaultKeyVariable_IsUsedWhenNoKeyIsConfigured()
    {
        var config = Parse($$"""
            model_list:
              - model_name: claude
                litellm_params: { model: anthropic/claude-sonnet-4-5 }
            {{Master}}
            """, new() { ["ANTHROPIC_API_KEY"] = "sk-ant-env" });
        Assert.Equal("sk-ant-env", config.Deployments[0].ApiKey);
        Assert.Empty(config.Warnings);
    }

    [Theory]
    [InlineData("openai", "https://api.openai.com/v1")]
    [InlineData("groq", "https://api.groq.com/openai/v1")]
    [InlineData("mistral", "https://api.mistral.ai/v1")]
    [InlineData("deepseek", "https://api.deepseek.com/v1")]
    [InlineData("together_ai", "https://api.together.xyz/v1")]
    [InlineData("fireworks_ai", "https://api.fireworks.ai/inference/v1")]
    [InlineData("openrouter", "https://openrouter.ai/api/v1")]
    [InlineData("xai", "https://api.x.ai/v1")]
    [InlineData("ollama", "http://localhost:11434")]
    [InlineData("ollama_chat", "http://localhost:11434")]
    [InlineData("anthropic", "https://api.anthropic.com")]
    [InlineData("gemini", "https://generativelanguage.googleapis.com")]
    public void ProviderWithoutApiBase_GetsItsPublicDefault(string provider, string expected)
    {
        var config = Parse($$"""
            model_list:
              - model_name: m
                litellm_params: { model: {{provider}}/some-model }
            {{Master}}
            """);
        Assert.Equal(expected, config.Deployments[0].ApiBase);
    }

    [Fact]
    public void EntriesSharingModelName_AreKeptInOrder()
    {
        var config = Parse($$"""
            model_list:
              - model_name: gpt
                litellm_params: { model: openai/gpt-4o, api_key: a }
              - model_name: gpt
                litellm_params: { model: openai/gpt-4o, api_key: b }
            {{Master}}
            """);
        Assert.Equal(["a", "b"], config.Deployments.Select(d => d.ApiKey));
        Assert.NotEqual(config.Deployments[0].Id, config.Deployments[1].Id);
    }

    [Fact]
    public void UnsupportedKeys_AreAcceptedAndListedOnce()
    {
        var config = Parse("""
            model_list:
              - model_name: a
                litellm_params: { model: openai/a, order: 1, vertex_project: p }
              - model_name: b
                litellm_params: { model: openai/b, order: 2 }
            litellm_settings:
              success_callback: ["datadog"]
              drop_params: true
            router_settings:
              routing_strategy: least-busy
              num_retries: 2
            general_settings:
              master_key: sk-m
              database_url: postgres://x
            guardrails: []
            """);
        Assert.True(config.Litellm.DropParams);
        Assert.DoesNotContain("model_list[].litellm_params.order", config.IgnoredKeys);
        Assert.Contains("model_list[].litellm_params.vertex_project", config.IgnoredKeys);
        Assert.DoesNotContain("litellm_settings.success_callback", config.IgnoredKeys);
        Assert.Contains(config.Deferred, f => f.Kind == DeferredFeatureKind.Callbacks && f.Detail == "datadog");
        Assert.DoesNotContain("router_settings.num_retries", config.IgnoredKeys);
        Assert.Equal(EdgeGw.Config.RoutingStrategy.LeastBusy, config.Router.Strategy);
        Assert.Equal(2, config.Router.NumRetries);
        Assert.Equal("postgres://x", config.General.DatabaseUrl);
        Assert.Contains("guardrails", config.IgnoredKeys);
        Assert.DoesNotContain("litellm_settings.drop_params", config.IgnoredKeys);
    }

    [Fact]
    public void ModelWithoutProviderPrefix_NamesTheKeyPath() =>
        Assert.StartsWith("model_list[2].litellm_params.model: missing provider prefix", Problem($$"""
            model_list:
              - model_name: a
                litellm_params: { model: openai/a }
              - model_name: b
                litellm_params: { model: openai/b }
              - model_name: c
                litellm_params: { model: llama3 }
            {{Master}}
            """), StringComparison.Ordinal);

    [Fact]
    public void UnknownProvider_IsNamedWithTheSupportedList()
    {
        var message = Problem($$"""
            model_list:
              - model_name: a
                litellm_params: { model: nope/a }
            {{Master}}
            """);
        Assert.StartsWith("model_list[0].litellm_params.model: unknown provider 'nope'", message, StringComparison.Ordinal);
        Assert.Contains("anthropic", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("model_list:\n  - litellm_params: { model: openai/a }\n", "model_list[0].model_name: required")]
    [InlineData("model_list:\n  - model_name: a\n", "model_list[0].litellm_params: required")]
    [InlineData("model_list:\n  - model_name: a\n    litellm_params: { api_key: x }\n", "model_list[0].litellm_params.model: required")]
    [InlineData("model_list:\n  - model_name: a\n    litellm_params: { model: openai/a, rpm: lots }\n", "model_list[0].litellm_params.rpm: expected a whole number, got 'lots'")]
    [InlineData("model_list:\n  - model_name: a\n    litellm_params: { model: openai/a, rpm: -1 }\n", "model_list[0].litellm_params.rpm: must not be negative")]
    [InlineData("model_list:\n  - model_name: a\n    litellm_params: { model: openai/a, timeout: 0 }\n", "model_list[0].litellm_params.timeout: must be a positive number of seconds")]
    [InlineData("model_list:\n  - model_name: a\n    litellm_params: { model: openai/a, api_base: ftp://x }\n", "model_list[0].litellm_params.api_base: expected an http:// or https:// URL")]
    [InlineData("model_list:\n  - model_name: a\n    litellm_params: { model: hosted_vllm/a }\n", "model_list[0].litellm_params.api_base: required for hosted_vllm/")]
    [InlineData("model_list:\n  - model_name: a\n    litellm_params: { model: openai/a, input_cost_per_token: cheap }\n", "model_list[0].litellm_params.input_cost_per_token: expected a number")]
    [InlineData("model_list: {}\n", "model_list: expected a list")]
    [InlineData("model_list: []\nrouter_settings: { routing_strategy: fastest }\n", "router_settings.routing_strategy: unknown strategy 'fastest'")]
    [InlineData("model_list: []\nlitellm_settings: { drop_params: maybe }\n", "litellm_settings.drop_params: expected true or false")]
    public void InvalidValue_IsReportedWithItsKeyPath(string yaml, string expectedStart) =>
        Assert.StartsWith(expectedStart, Problem(yaml + Master), StringComparison.Ordinal);

    [Fact]
    public void MissingMasterKey_RefusesAndSaysHowToSetOne()
    {
        var message = Problem("model_list: []\n");
        Assert.StartsWith("general_settings.master_key: required", message, StringComparison.Ordinal);
        Assert.Contains("os.environ/LITELLM_MASTER_KEY", message, StringComparison.Ordinal);
    }

    [Fact]
    public void MasterKeyFromUnsetVariable_Refuses() =>
        Assert.StartsWith("general_settings.master_key: is empty", Problem("general_settings:\n  master_key: os.environ/NOPE\n"), StringComparison.Ordinal);

    [Fact]
    public void InvalidYaml_ReportsLineAndColumn() =>
        Assert.Matches(@"config:\d+:\d+: invalid YAML", Problem("model_list:\n  - model_name: [unclosed\n"));

    [Fact]
    public void EmptyFile_SaysWhatIsNeeded() =>
        Assert.Contains("master_key", Problem(""), StringComparison.Ordinal);

    [Fact]
    public void ExampleConfig_LoadsWithOnlyTheMasterKeySet()
    {
        var path = Path.Combine(RepoRoot(), "config.yaml");
        var config = ConfigLoader.LoadFile(path, name => name == "LITELLM_MASTER_KEY" ? "sk-example" : null);
        Assert.Contains(config.Deployments, d => d.Provider == "mock");
        Assert.Contains(config.Deployments, d => d.Provider == "openai");
        Assert.Contains(config.Deployments, d => d.Provider == "anthropic");
        Assert.Contains(config.Deployments, d => d.Provider == "gemini");
    }

    [Fact]
    public void MissingFile_IsAConfigErrorNamingThePath() =>
        Assert.Contains("/nonexistent/x.yaml", Assert.Throws<ConfigException>(() => ConfigLoader.LoadFile("/nonexistent/x.yaml")).Message, StringComparison.Ordinal);

    internal static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "EdgeGw.sln")))
            dir = Path.GetDirectoryName(dir) ?? throw new DirectoryNotFoundException("repo root");
        return dir;
    }

    [Fact]
    public void RouterSettings_ReadFromBothSectionsRouterWins()
    {
        var config = ConfigLoader.Parse("""
            model_list: []
            litellm_settings:
              num_retries: 4
              fallbacks: [{"gpt-4": ["gpt-3.5", "claude"]}]
              context_window_fallbacks: [{"gpt-4": ["gpt-4-32k"]}]
              allowed_fails: 2
            router_settings:
              routing_strategy: usage-based-routing-v2
              num_retries: 1
              cooldown_time: 12
              retry_after: 0.5
              max_fallbacks: 2
              retry_policy: { RateLimitErrorRetries: 3, BadRequestErrorRetries: 0 }
              default_fallbacks: ["claude"]
              routing_strategy_args: { lowest_latency_buffer: 0.5 }
            general_settings:
              master_key: sk-m
            """, _ => null);

        var router = config.Router;
        Assert.Equal(EdgeGw.Config.RoutingStrategy.UsageBased, router.Strategy);
        Assert.Equal(1, router.NumRetries);
        Assert.Equal(2, router.AllowedFails);
        Assert.Equal(TimeSpan.FromSeconds(12), router.CooldownTime);
        Assert.Equal(TimeSpan.FromSeconds(0.5), router.RetryAfter);
        Assert.Equal(2, router.MaxFallbacks);
        Assert.Equal(3, router.RetryPolicy.RateLimit);
        Assert.Null(router.RetryPolicy.Timeout);
        Assert.Equal(["gpt-3.5", "claude"], router.Fallbacks.For("gpt-4").ToArray());
        Assert.Equal(["gpt-4-32k"], router.ContextWindowFallbacks.For("gpt-4").ToArray());
        Assert.Empty(router.Fallbacks.For("other"));
        Assert.Equal(["claude"], router.DefaultFallbacks.ToArray());
        Assert.Equal(0.5, router.LowestLatencyBuffer);
        Assert.DoesNotContain(config.IgnoredKeys, k => k.Contains("fallbacks", StringComparison.Ordinal) || k.Contains("retr", StringComparison.Ordinal));
    }

    [Fact]
    public void RouterSettingsDefaults_MatchLitellm()
    {
        var router = ConfigLoader.Parse("model_list: []\ngeneral_settings: { master_key: sk-m }\n", _ => null).Router;

        Assert.Equal(EdgeGw.Config.RoutingStrategy.SimpleShuffle, router.Strategy);
        Assert.Equal(2, router.NumRetries);
        Assert.Null(router.AllowedFails);
        Assert.Equal(TimeSpan.FromSeconds(5), router.CooldownTime);
        Assert.Equal(5, router.MaxFallbacks);
    }
}
