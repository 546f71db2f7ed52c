using System.Collections.Frozen;

namespace EdgeGw.Spend;

/// <summary>
/// The embedded list prices (USD per 1M tokens, as published by OpenAI, Anthropic and Google in
/// 2025) used when a deployment sets no <c>input_cost_per_token</c>/<c>output_cost_per_token</c>.
/// Matching is by the upstream model id: exact, else the longest listed name that prefixes it, so
/// dated snapshots (<c>gpt-4o-2024-08-06</c>, <c>claude-sonnet-4-5-20250929</c>) find their family.
/// </summary>
internal static class PricingTable
{
    private const long Anthropic200K = 200_000;
    private const long Gemini200K = 200_000;
    private const long Gemini128K = 128_000;

    public static readonly ModelPrice[] Prices =
    [
        // OpenAI
        new("gpt-5", 1.25m, 10m, CachedInput: 0.125m),
        new("gpt-5-mini", 0.25m, 2m, CachedInput: 0.025m),
        new("gpt-5-nano", 0.05m, 0.40m, CachedInput: 0.005m),
        new("gpt-5-chat-latest", 1.25m, 10m, CachedInput: 0.125m),
        new("gpt-4.1", 2m, 8m, CachedInput: 0.50m),
        new("gpt-4.1-mini", 0.40m, 1.60m, CachedInput: 0.10m),
        new("gpt-4.1-nano", 0.10m, 0.40m, CachedInput: 0.025m),
        new("gpt-4o", 2.50m, 10m, CachedInput: 1.25m),
        new("gpt-4o-mini", 0.15m, 0.60m, CachedInput: 0.075m),
        new("chatgpt-4o-latest", 5m, 15m),
        new("gpt-4-turbo", 10m, 30m),
        new("gpt-4", 30m, 60m),
        new("gpt-3.5-turbo", 0.50m, 1.50m),
        new("o1", 15m, 60m, CachedInput: 7.50m),
        new("o1-mini", 1.10m, 4.40m, CachedInput: 0.55m),
        new("o1-pro", 150m, 600m),
        new("o3", 2m, 8m, CachedInput: 0.50m),
        new("o3-mini", 1.10m, 4.40m, CachedInput: 0.55m),
        new("o3-pro", 20m, 80m),
        new("o4-mini", 1.10m, 4.40m, CachedInput: 0.275m),
        // Anthropic (cache writes: the 5-minute rate)
        new("claude-opus-4-1", 15m, 75m, CachedInput: 1.50m, CacheWrite: 18.75m),
        new("claude-opus-4", 15m, 75m, CachedInput: 1.50m, CacheWrite: 18.75m),
        new("claude-sonnet-4-5", 3m, 15m, CachedInput: 0.30m, CacheWrite: 3.75m,
            LongContextThreshold: Anthropic200K, LongContextInput: 6m, LongContextOutput: 22.50m, LongContextCachedInput: 0.60m, LongContextCacheWrite: 7.50m),
        new("claude-sonnet-4", 3m, 15m, CachedInput: 0.30m, CacheWrite: 3.75m,
            LongContextThreshold: Anthropic200K, LongContextInput: 6m, LongContextOutput: 22.50m, LongContextCachedInput: 0.60m, LongContextCacheWrite: 7.50m),
        new("claude-3-7-sonnet", 3m, 15m, CachedInput: 0.30m, CacheWrite: 3.75m),
        new("claude-3-5-sonnet", 3m, 15m, CachedInput: 0.30m, CacheWrite: 3.75m),
        new("claude-haiku-4-5", 1m, 5m, CachedInput: 0.10m, CacheWrite: 1.25m),
        new("claude-3-5-haiku", 0.80m, 4m, CachedInput: 0.08m, CacheWrite: 1m),
        new("claude-3-haiku", 0.25m, 1.25m, CachedInput: 0.03m, CacheWrite: 0.30m),
        new("claude-3-opus", 15m, 75m, CachedInput: 1.50m, CacheWrite: 18.75m),
        // Google Gemini
        new("gemini-2.5-pro", 1.25m, 10m, CachedInput: 0.31m,
            LongContextThreshold: Gemini200K, LongContextInput: 2.50m, LongContextOutput: 15m, LongContextCachedInput: 0.625m),
        new("gemini-2.5-flash", 0.30m, 2.50m, CachedInput: 0.075m),
        new("gemini-2.5-flash-lite", 0.10m, 0.40m, CachedInput: 0.025m),
        new("gemini-2.0-flash", 0.10m, 0.40m, CachedInput: 0.025m),
        new("gemini-2.0-flash-lite", 0.075m, 0.30m),
        new("gemini-1.5-pro", 1.25m, 5m, CachedInput: 0.3125m,
            LongContextThreshold: Gemini128K, LongContextInput: 2.50m, LongContextOutput: 10m, LongContextCachedInput: 0.625m),
        new("gemini-1.5-flash", 0.075m, 0.30m, CachedInput: 0.01875m,
            LongContextThreshold: Gemini128K, LongContextInput: 0.15m, LongContextOutput: 0.60m, LongContextCachedInput: 0.0375m),
        new("gemini-1.5-flash-8b", 0.0375m, 0.15m, CachedInput: 0.01m,
            LongContextThreshold: Gemini128K, LongContextInput: 0.075m, LongContextOutput: 0.30m, LongContextCachedInput: 0.02m),
    ];

    private static readonly FrozenDictionary<string, ModelPrice> ByName =
        Prices.ToFrozenDictionary(p => p.Model, StringComparer.OrdinalIgnoreCase);

    /// <summary>The price for an upstream model id, e.g. <c>gpt-4o-2024-08-06</c> or <c>models/gemini-2.5-pro</c>.</summary>
    public static ModelPrice? Find(string modelId)
    {
        var name = modelId.AsSpan();
        var slash = name.LastIndexOf('/');
        if (slash >= 0)
            name = name[(slash + 1)..];
        var lookup = ByName.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(name, out var exact))
            return exact;
        ModelPrice? best = null;
        foreach (var price in Prices)
        {
            // A family prefix must end at a separator: "o1" prices "o1-2024-12-17", not "o1x".
            if (name.Length > price.Model.Length && name.StartsWith(price.Model, StringComparison.OrdinalIgnoreCase)
                && name[price.Model.Length] is '-' or '@' or ':' or '.'
                && (best is null || price.Model.Length > best.Model.Length))
                best = price;
        }
        return best;
    }
}
