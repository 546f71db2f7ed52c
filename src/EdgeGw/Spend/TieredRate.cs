namespace EdgeGw.Spend;

/// <summary>
/// Dollars per million tokens, stepping up once a request's prompt passes a tier's start
/// (genai-prices' tiers, LiteLLM's <c>*_above_200k_tokens</c>): the whole request is billed at
/// the highest tier its prompt reaches.
/// </summary>
internal sealed class TieredRate(decimal baseRate, (long Start, decimal Price)[]? tiers = null)
{
    public decimal Base { get; } = baseRate;

    /// <summary>Ascending by start.</summary>
    public (long Start, decimal Price)[] Tiers { get; } = tiers ?? [];

    public decimal At(long promptTokens)
    {
        var rate = Base;
        foreach (var (start, price) in Tiers)
        {
            if (promptTokens > start)
                rate = price;
        }
        return rate;
    }

    public static implicit operator TieredRate(decimal rate) => new(rate);
}
