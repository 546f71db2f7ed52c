using EdgeGw.Config;
using EdgeGw.Json;
using EdgeGw.Spend;

namespace EdgeGw.Tests.Spend;

public sealed class CostMapTests : IDisposable
{
    // LiteLLM's model_prices_and_context_window.json format, dollars per token.
    private const string Map = """
        {
          "sample_spec": { "input_cost_per_token": 0.0, "output_cost_per_token": 0.0, "litellm_provider": "one of litellm_provider" },
          "gpt-5.4": { "max_input_tokens": 1050000, "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06, "litellm_provider": "openai", "mode": "chat" },
          "groq/my-finetune": { "input_cost_per_token": 5e-07, "output_cost_per_token": 1e-06, "litellm_provider": "groq", "supports_function_calling": true },
          "claude-sonnet-4-5": {
            "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
            "cache_read_input_token_cost": 3e-07, "cache_creation_input_token_cost": 3.75e-06,
            "input_cost_per_token_above_200k_tokens": 6e-06, "output_cost_per_token_above_200k_tokens": 2.25e-05,
            "litellm_provider": "anthropic", "tool_use_system_prompt_tokens": 159
          },
          "dall-e-3": { "output_cost_per_image": 0.04, "litellm_provider": "openai" }
        }
        """;

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"edgegw-cost-map-{Guid.NewGuid():N}.json");
    private readonly StringWriter _log = new();

    public CostMapTests() => File.WriteAllText(_path, Map);

    public void Dispose() => File.Delete(_path);

    private PricingTable Load(string? location) =>
        CostMapSetup.Load(name => name == "LITELLM_MODEL_COST_MAP_URL" ? location : null, _log);

    private static Usage U(long prompt, long completion, long cached = 0, long cacheWrite = 0) =>
        new() { Present = true, PromptTokens = prompt, CompletionTokens = completion, CachedTokens = cached, CacheCreationTokens = cacheWrite };

    private static decimal Cost(PricingTable table, string provider, string model, in Usage usage) =>
        CostCalculator.Cost(table.Lookup(provider, model)!, usage);

    [Fact]
    public void MaxOutputTokens_IsReadForReservationsWithLegacyMaxTokensAsFallback()
    {
        var map = CostMap.Parse("""
            {
              "a": { "max_tokens": 8192, "max_output_tokens": 64000, "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06 },
              "b": { "max_tokens": 4096, "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06 },
              "c": { "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06 }
            }
            """u8);

        Assert.Equal(64_000, map.Prices["a"].MaxOutputTokens);
        Assert.Equal(4_096, map.Prices["b"].MaxOutputTokens);
        Assert.Null(map.Prices["c"].MaxOutputTokens);
    }

    [Fact]
    public void LocalPath_EntriesOverrideTheBuiltInTable()
    {
        var table = Load(_path);

        Assert.Equal(1000 * 1e-6m + 100 * 2e-6m, Cost(table, "openai", "gpt-5.4", U(1000, 100)));
        Assert.NotEqual(table.Lookup("openai", "gpt-5.4"), PricingTable.Find("openai", "gpt-5.4"));
        Assert.Contains($"3 model prices from {_path}", _log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ProviderPrefixedEntry_PricesThatProvidersModel()
    {
        var table = Load(new Uri(_path).AbsoluteUri); // file:// URL

        Assert.Equal(1000 * 5e-7m + 1000 * 1e-6m, Cost(table, "groq", "my-finetune", U(1000, 1000)));
        Assert.Null(table.Lookup("openai", "my-finetune"));
    }

    [Fact]
    public void CacheAndLongContextFields_AreBilled()
    {
        var table = Load(_path);

        // 10,000 prompt = 2,000 plain + 5,000 read + 3,000 written.
        Assert.Equal(2000 * 3e-6m + 5000 * 3e-7m + 3000 * 3.75e-6m, Cost(table, "anthropic", "claude-sonnet-4-5", U(10_000, 0, 5000, 3000)));
        Assert.Equal(200_001 * 6e-6m + 10 * 2.25e-5m, Cost(table, "anthropic", "claude-sonnet-4-5", U(200_001, 10)));
    }

    [Fact]
    public void ModelsNotInTheMap_KeepTheBuiltInPrice()
    {
        var table = Load(_path);
        Assert.Equal(PricingTable.Find("openai", "gpt-5.4-mini"), table.Lookup("openai", "gpt-5.4-mini"));
        Assert.Null(table.Lookup("openai", "dall-e-3-unknown"));
    }

    [Fact]
    public void HttpUrl_IsNotFetchedAndSaysSoInOneLine()
    {
        var table = Load("https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json");

        Assert.Equal(PricingTable.Find("openai", "gpt-5.4"), table.Lookup("openai", "gpt-5.4"));
        var line = Assert.Single(_log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("LITELLM_MODEL_COST_MAP_URL is a URL, which is not fetched", line, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingOrBrokenFile_IsAConfigErrorNamingTheVariable()
    {
        var missing = Assert.Throws<ConfigException>(() => Load(_path + ".missing"));
        Assert.Contains("LITELLM_MODEL_COST_MAP_URL", missing.Message, StringComparison.Ordinal);

        File.WriteAllText(_path, "[1, 2]");
        Assert.Throws<ConfigException>(() => Load(_path));
    }
}
