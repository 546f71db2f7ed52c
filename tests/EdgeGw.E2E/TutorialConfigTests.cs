using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.E2E;

/// <summary>
/// The native binary starts on each LiteLLM tutorial's whole config.yaml, with the environment the
/// tutorial's compose file or shell gives it (provider keys, LITELLM_MASTER_KEY, DATABASE_URL: a real,
/// empty PostgreSQL database, REDIS_URL/REDIS_HOST: a real redis-server, as the compose file's), and
/// serves every model it names.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TutorialConfigTests(PostgresServer server, RedisServer redis) : IClassFixture<RedisServer>
{
    private Dictionary<string, string> Environment(params string[] names)
    {
        var environment = new Dictionary<string, string> { ["LITELLM_MASTER_KEY"] = GatewayProcess.MasterKey };
        foreach (var name in names)
            environment[name] = name switch
            {
                "DATABASE_URL" => server.Url(server.CreateDatabase()),
                "REDIS_URL" => redis.Url,
                "REDIS_HOST" => "127.0.0.1",
                _ => $"sk-{name.ToLowerInvariant()}",
            };
        return environment;
    }

    public static TheoryData<string, string, string[], string[]> Tutorials() => new()
    {
        { "compose guide", TutorialConfigs.ComposeGuide, ["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY", "DATABASE_URL"],
            ["claude-sonnet-4-6", "gpt-5.4", "gpt-5.4-mini", "gemini-2.5-pro"] },
        { "SDK lesson", TutorialConfigs.SdkLessonConfig, ["ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY_1", "ANTHROPIC_API_KEY_2", "ANTHROPIC_API_KEY_3", "OPENAI_API_KEY", "DATABASE_URL"],
            ["claude-sonnet", "claude-haiku", "gpt-4o", "claude-sonnet-lb"] },
        { "SDK lesson production", TutorialConfigs.SdkLessonProduction, [.. TutorialConfigs.SdkLessonProductionEnvironment.Keys.Where(k => k != "LITELLM_MASTER_KEY")],
            ["claude-primary", "openai-fallback", "claude-budget"] },
        { "VPS guide", TutorialConfigs.VpsGuide, ["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GROQ_API_KEY"],
            ["gpt-5.2", "claude-sonnet", "llama-groq", "llama-local"] },
        { "overview", TutorialConfigs.Overview, ["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_API_KEY_1", "OPENAI_API_KEY_2", "DATABASE_URL"],
            ["claude-quality", "gpt-fast", "gpt4o-pool"] },
    };

    [Theory]
    [MemberData(nameof(Tutorials))]
    public async Task TutorialConfig_StartsAndListsEveryModel(string tutorial, string config, string[] variables, string[] models)
    {
        await using var gateway = await GatewayProcess.StartAsync(config, environment: Environment(variables));

        using var response = await gateway.Client.GetAsync("/v1/models");
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{tutorial}: {body}");
        var listed = JsonDocument.Parse(body).RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToHashSet();
        Assert.All(models, m => Assert.Contains(m, listed));
    }
}
