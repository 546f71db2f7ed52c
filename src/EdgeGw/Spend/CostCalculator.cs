using EdgeGw.Config;
using EdgeGw.Json;

namespace EdgeGw.Spend;

/// <summary>
/// A request's cost in dollars from its usage: the deployment's own
/// <c>input_cost_per_token</c>/<c>output_cost_per_token</c> when set (every prompt token at the
/// input rate), else the embedded <see cref="PricingTable"/> with cached-input, cache-write and
/// long-context rates. A model with neither, or on Ollama, costs 0.
/// </summary>
internal static class CostCalculator
{
    private const decimal PerMillion = 1_000_000m;

    public static decimal Cost(Deployment deployment, in Usage usage)
    {
        if (!usage.Present)
            return 0;
        if (deployment.InputCostPerToken is not null || deployment.OutputCostPerToken is not null)
            return usage.PromptTokens * (deployment.InputCostPerToken ?? 0) + usage.CompletionTokens * (deployment.OutputCostPerToken ?? 0);
        // A model on your own Ollama costs nothing, whatever public model its name resembles.
        if (Providers.ProviderCatalog.Find(deployment.Provider)?.Kind == Providers.ProviderKind.Ollama)
            return 0;
        return PricingTable.Find(deployment.ModelId) is { } price ? Cost(price, usage) : 0;
    }

    public static decimal Cost(ModelPrice price, in Usage usage)
    {
        var longContext = price.LongContextThreshold is { } threshold && usage.PromptTokens > threshold;
        var input = longContext ? price.LongContextInput ?? price.Input : price.Input;
        var output = longContext ? price.LongContextOutput ?? price.Output : price.Output;
        var cached = (longContext ? price.LongContextCachedInput : null) ?? price.CachedInput ?? input;
        var cacheWrite = (longContext ? price.LongContextCacheWrite : null) ?? price.CacheWrite ?? input;

        // OpenAI terms: prompt tokens include cached reads; cache writes are counted apart.
        var cachedTokens = Math.Min(usage.CachedTokens, usage.PromptTokens);
        var writeTokens = Math.Min(usage.CacheCreationTokens, usage.PromptTokens - cachedTokens);
        var plain = usage.PromptTokens - cachedTokens - writeTokens;
        return (plain * input + cachedTokens * cached + writeTokens * cacheWrite + usage.CompletionTokens * output) / PerMillion;
    }
}
