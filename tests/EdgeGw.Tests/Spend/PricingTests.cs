using EdgeGw.Config;
using EdgeGw.Json;
using EdgeGw.Spend;

namespace EdgeGw.Tests.Spend;

public sealed class PricingTests
{
    private static Usage U(long prompt, long completion, long cached = 0, long cacheWrite = 0) =>
        new() { Present = true, PromptTokens = prompt, CompletionTokens = completion, CachedTokens = cached, CacheCreationTokens = cacheWrite };

    private static Deployment D(string modelId, decimal? input = null, decimal? output = null) => new()
    {
        Index = 0, ModelName = "m", Provider = "openai", ModelId = modelId, Id = "id",
        InputCostPerToken = input, OutputCostPerToken = output,
    };

    [Theory]
    [InlineData("gpt-4o", "gpt-4o")]
    [InlineData("gpt-4o-2024-08-06", "gpt-4o")]
    [InlineData("gpt-4o-mini-2024-07-18", "gpt-4o-mini")]
    [InlineData("o3-mini-2025-01-31", "o3-mini")]
    [InlineData("claude-sonnet-4-5-20250929", "claude-sonnet-4-5")]
    [InlineData("claude-sonnet-4-20250514", "claude-sonnet-4")]
    [InlineData("claude-3-5-haiku-20241022", "claude-3-5-haiku")]
    [InlineData("models/gemini-2.5-pro", "gemini-2.5-pro")]
    [InlineData("gemini-2.5-flash-lite", "gemini-2.5-flash-lite")]
    [InlineData("gemini-2.0-flash-001", "gemini-2.0-flash")]
    public void DatedAndPrefixedIds_FindTheirFamily(string modelId, string expected) =>
        Assert.Equal(expected, PricingTable.Find(modelId)?.Model);

    [Theory]
    [InlineData("o1x")]
    [InlineData("llama3")]
    [InlineData("my-azure-deployment")]
    public void UnknownModels_HaveNoPrice(string modelId) => Assert.Null(PricingTable.Find(modelId));

    [Fact]
    public void ConfiguredCost_WinsOverTheTable()
    {
        Assert.Equal(0.014m, CostCalculator.Cost(D("gpt-4o", 0.001m, 0.002m), U(8, 3)));
    }

    [Fact]
    public void Gpt4o_CachedInputIsHalfPrice()
    {
        // 1,000 prompt tokens of which 400 cached: 600 × 2.50 + 400 × 1.25 + 100 × 10 per million.
        Assert.Equal(0.003m, CostCalculator.Cost(D("gpt-4o"), U(1000, 100, cached: 400)));
    }

    [Fact]
    public void ClaudeSonnet4_Above200K_BillsTheWholeRequestAtLongContextRates()
    {
        var under = CostCalculator.Cost(D("claude-sonnet-4-20250514"), U(200_000, 1000));
        var over = CostCalculator.Cost(D("claude-sonnet-4-20250514"), U(200_001, 1000));

        Assert.Equal(0.6m + 0.015m, under);
        Assert.Equal(200_001m * 6m / 1_000_000m + 0.0225m, over);
    }

    [Fact]
    public void Claude_CacheWritesAndReadsHaveTheirOwnRates()
    {
        // 10,000 prompt = 2,000 plain + 5,000 read + 3,000 written; 3.00 / 0.30 / 3.75 per million.
        Assert.Equal(0.006m + 0.0015m + 0.01125m, CostCalculator.Cost(D("claude-sonnet-4-5"), U(10_000, 0, cached: 5000, cacheWrite: 3000)));
    }

    [Fact]
    public void Gemini25Pro_Above200K_UsesHigherRates()
    {
        Assert.Equal(300_000m * 2.5m / 1_000_000m + 1000m * 15m / 1_000_000m, CostCalculator.Cost(D("gemini-2.5-pro"), U(300_000, 1000)));
    }

    [Fact]
    public void UnpricedModel_CostsNothing() => Assert.Equal(0m, CostCalculator.Cost(D("llama3"), U(100, 100)));

    [Fact]
    public void NoUsage_CostsNothing() => Assert.Equal(0m, CostCalculator.Cost(D("gpt-4o"), default));

    [Theory]
    [InlineData("0.0000000014", 1)]
    [InlineData("0.0000000015", 2)]
    [InlineData("0.014", 14_000_000)]
    [InlineData("123.456789012", 123_456_789_012)]
    public void Money_RoundsToTheNearestNanoDollar(string dollars, long nanos) =>
        Assert.Equal(nanos, Money.ToNanos(decimal.Parse(dollars, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void EveryTablePrice_IsPositive() =>
        Assert.All(PricingTable.Prices, p => Assert.True(p.Input > 0 && p.Output > 0, p.Model));
}
