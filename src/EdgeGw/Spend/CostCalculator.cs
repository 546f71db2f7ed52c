using EdgeGw.Config;
using EdgeGw.Json;

namespace EdgeGw.Spend;

/// <summary>
/// A request's cost in dollars from its usage: the deployment's own
/// <c>input_cost_per_token</c>/<c>output_cost_per_token</c> when set (every prompt token at the
/// input rate), else the <see cref="PricingTable"/> price with cached-input, cache-write and
/// long-context rates. A model with neither costs 0.
/// </summary>
internal static class CostCalculator
{
    private const decimal PerMillion = 1_000_000m;

    /// <summary>Never negative and never past <see cref="Money.MaxDollars"/>, whatever usage or price says.</summary>
    public static decimal Cost(Deployment deployment, in Usage usage)
    {
        if (!usage.Present)
            return 0;
        try
        {
            var cost = deployment.InputCostPerToken is not null || deployment.OutputCostPerToken is not null
                ? TokenCount.Clamp(usage.PromptTokens) * (deployment.InputCostPerToken ?? 0) + TokenCount.Clamp(usage.CompletionTokens) * (deployment.OutputCostPerToken ?? 0)
                : PricingTable.Find(deployment.Provider, deployment.ModelId) is { } price ? Cost(price, usage) : 0;
            return Math.Clamp(cost, 0, Money.MaxDollars);
        }
        catch (OverflowException)
        {
            // Only an absurd configured price can get here (counts are clamped): bill the most a counter holds.
            return Money.MaxDollars;
        }
    }

    /// <summary>
    /// The most a request may cost, in nano-dollars, to reserve against budgets: its prompt estimate
    /// and output cap priced as usage. Bounded so requests in flight together cannot overflow a counter.
    /// </summary>
    public static long Reservation(Deployment deployment, long promptTokens, long outputTokens)
    {
        var usage = new Usage { Present = true, PromptTokens = promptTokens, CompletionTokens = outputTokens };
        return Math.Min(Money.ToNanos(Cost(deployment, usage)), MaxReservationNanos);
    }

    /// <summary>$9.2 million: a thousand requests in flight at this much still fit a counter.</summary>
    public const long MaxReservationNanos = long.MaxValue / 1024;

    public static decimal Cost(ModelPrice price, in Usage usage)
    {
        var prompt = TokenCount.Clamp(usage.PromptTokens);
        var input = price.Input.At(prompt);
        var output = price.Output.At(prompt);
        var cached = price.CachedInput?.At(prompt) ?? input;
        var cacheWrite = price.CacheWrite?.At(prompt) ?? input;

        // OpenAI terms: prompt tokens include cached reads; cache writes are counted apart.
        var cachedTokens = Math.Min(TokenCount.Clamp(usage.CachedTokens), prompt);
        var writeTokens = Math.Min(TokenCount.Clamp(usage.CacheCreationTokens), prompt - cachedTokens);
        var plain = prompt - cachedTokens - writeTokens;
        return (plain * input + cachedTokens * cached + writeTokens * cacheWrite + TokenCount.Clamp(usage.CompletionTokens) * output) / PerMillion;
    }
}
