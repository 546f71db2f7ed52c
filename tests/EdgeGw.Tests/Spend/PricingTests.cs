using EdgeGw.Config;
using EdgeGw.Json;
using EdgeGw.Spend;

namespace EdgeGw.Tests.Spend;

public sealed class PricingTests
{
    private static Usage U(long prompt, long completion, long cached = 0, long cacheWrite = 0) =>
        new() { Present = true, PromptTokens = prompt, CompletionTokens = completion, CachedTokens = cached, CacheCreationTokens = cacheWrite };

    private static Deployment D(string provider, string modelId, decimal? input = null, decimal? output = null) => new()
    {
        Index = 0, ModelName = "m", Provider = provider, ModelId = modelId, Id = "id",
        InputCostPerToken = input, OutputCostPerToken = output,
    };

    /// <summary>The generated table's current price for a genai-prices model id.</summary>
    private static ModelPrice Table(string provider, string model) =>
        BuiltInPrices.Instance.Providers.Single(p => p.Id == provider).Models.Single(m => m.Id == model).InForce(DateOnly.FromDateTime(DateTime.UtcNow));

    private static decimal Expected(ModelPrice price, long prompt, long completion) =>
        (prompt * price.Input.At(prompt) + completion * price.Output.At(prompt)) / 1_000_000m;

    [Fact]
    public void Gpt54Gpt54MiniAndGpt52_BillDifferentlyAsTheGeneratedTableSays()
    {
        var costs = new[] { "gpt-5.4", "gpt-5.4-mini", "gpt-5.2" }.Select(model =>
        {
            var cost = CostCalculator.Cost(D("openai", model), U(10_000, 1_000));
            Assert.Equal(Expected(Table("openai", model), 10_000, 1_000), cost);
            Assert.True(cost > 0, model);
            return cost;
        }).ToArray();

        Assert.Equal(3, costs.Distinct().Count());
        Assert.NotEqual(Table("openai", "gpt-5").Input.Base, Table("openai", "gpt-5.4").Input.Base);
    }

    [Theory]
    [InlineData("llama-3.3-70b-versatile")]
    [InlineData("openai/gpt-oss-120b")]
    public void GroqModel_BillsNonZeroAtGroqsPrice(string model)
    {
        var cost = CostCalculator.Cost(D("groq", model), U(1_000, 1_000));
        Assert.True(cost > 0);
        Assert.Equal(Expected(Table("groq", model), 1_000, 1_000), cost);
    }

    [Fact]
    public void ClaudeSonnet45_CacheReadsAndWritesHaveTheirOwnRates()
    {
        var price = Table("anthropic", "claude-sonnet-4-5");
        Assert.True(price.CachedInput!.Base < price.Input.Base && price.Input.Base < price.CacheWrite!.Base);

        // 10,000 prompt = 2,000 plain + 5,000 read from the cache + 3,000 written to it.
        var cost = CostCalculator.Cost(D("anthropic", "claude-sonnet-4-5-20250929"), U(10_000, 0, cached: 5000, cacheWrite: 3000));
        Assert.Equal((2_000 * price.Input.Base + 5_000 * price.CachedInput.Base + 3_000 * price.CacheWrite.Base) / 1_000_000m, cost);
    }

    [Fact]
    public void Gpt54_AboveItsLongContextTier_BillsTheWholeRequestAtTheHigherRates()
    {
        var price = Table("openai", "gpt-5.4");
        var (start, higher) = Assert.Single(price.Input.Tiers);
        var under = CostCalculator.Cost(D("openai", "gpt-5.4"), U(start, 1000));
        var over = CostCalculator.Cost(D("openai", "gpt-5.4"), U(start + 1, 1000));

        Assert.Equal((start * price.Input.Base + 1000 * price.Output.Base) / 1_000_000m, under);
        Assert.Equal(((start + 1) * higher + 1000 * price.Output.At(start + 1)) / 1_000_000m, over);
        Assert.True(higher > price.Input.Base && price.Output.At(start + 1) > price.Output.Base);
    }

    [Theory]
    [InlineData("anthropic", "claude-haiku-4-5-20251001", "claude-haiku-4-5")]
    [InlineData("anthropic", "claude-sonnet-4-20250514", "claude-sonnet-4-0")]
    [InlineData("openai", "gpt-4o-2024-08-06", "gpt-4o")]
    [InlineData("openai", "gpt-5.4-mini-2026-03-17", "gpt-5.4-mini")]
    [InlineData("openai", "gpt-5.6-luna-20260730", "gpt-5.6-luna")] // listed as -2026-07-30: genai-prices' date rule
    [InlineData("gemini", "gemini-2.5-pro", "gemini-2.5-pro")]
    [InlineData("gemini", "models/gemini-2.5-flash", "gemini-2.5-flash")]
    [InlineData("xai", "grok-3", "grok-3")]
    [InlineData("together_ai", "meta-llama/Llama-3.3-70B-Instruct-Turbo", "meta-llama/Llama-3.3-70B-Instruct-Turbo")]
    [InlineData("azure", "gpt-4o", "gpt-4o")] // azure falls back to OpenAI's list
    [InlineData("deepinfra", "claude-opus-4-6", "claude-opus-4-6")] // a provider genai-prices does not list: found by the model id
    public void ModelIds_FindTheirTableEntry(string provider, string modelId, string expected) =>
        Assert.Equal(expected, PricingTable.Find(provider, modelId)?.Model);

    [Theory]
    [InlineData("openai", "o1x-unknown")]
    [InlineData("ollama_chat", "llama3")]
    [InlineData("hosted_vllm", "deepseek-chat")] // self-hosted: costs nothing unless the deployment says so
    [InlineData("openai", "my-azure-deployment")]
    public void UnknownOrSelfHostedModels_HaveNoPrice(string provider, string modelId) => Assert.Null(PricingTable.Find(provider, modelId));

    [Fact]
    public void StartDatedPrice_AppliesFromItsDay()
    {
        var table = new PricingTable(BuiltInPrices.Instance, null, () => new DateOnly(2026, 3, 12));
        var later = new PricingTable(BuiltInPrices.Instance, null, () => new DateOnly(2026, 3, 13));

        // Anthropic retired Sonnet 4.6's >200K tier on 2026-03-13.
        Assert.NotEmpty(table.Lookup("anthropic", "claude-sonnet-4-6")!.Input.Tiers);
        Assert.Empty(later.Lookup("anthropic", "claude-sonnet-4-6")!.Input.Tiers);
    }

    [Fact]
    public void ConfiguredCost_WinsOverTheTable() =>
        Assert.Equal(0.014m, CostCalculator.Cost(D("openai", "gpt-5.4", 0.001m, 0.002m), U(8, 3)));

    [Fact]
    public void UnpricedModel_CostsNothing() => Assert.Equal(0m, CostCalculator.Cost(D("openai", "llama3"), U(100, 100)));

    [Fact]
    public void NoUsage_CostsNothing() => Assert.Equal(0m, CostCalculator.Cost(D("openai", "gpt-4o"), default));

    [Fact]
    public void RepeatedLookup_AllocatesNothing()
    {
        var deployment = D("anthropic", "claude-haiku-4-5-20251001");
        var usage = U(1000, 100, cached: 10);
        CostCalculator.Cost(deployment, usage);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
            CostCalculator.Cost(deployment, usage);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void GeneratedTable_RecordsItsSourceVersionAndDate()
    {
        Assert.Matches(@"^\d+\.\d+\.\d+$", BuiltInPrices.Instance.Version);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", BuiltInPrices.Instance.Published);
        Assert.Contains(BuiltInPrices.Instance.Providers, p => p.Id == "groq" && p.Models.Length > 10);
    }

    [Theory]
    [InlineData("0.0000000014", 1)]
    [InlineData("0.0000000015", 2)]
    [InlineData("0.014", 14_000_000)]
    [InlineData("123.456789012", 123_456_789_012)]
    public void Money_RoundsToTheNearestNanoDollar(string dollars, long nanos) =>
        Assert.Equal(nanos, Money.ToNanos(decimal.Parse(dollars, System.Globalization.CultureInfo.InvariantCulture)));
}
