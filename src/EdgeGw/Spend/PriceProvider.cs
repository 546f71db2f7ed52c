namespace EdgeGw.Spend;

/// <summary>One provider of the built-in price database, in genai-prices' terms.</summary>
internal sealed record PriceProvider(
    string Id,
    ModelMatch? ProviderMatch,
    ModelMatch? ModelMatch,
    string[] Fallbacks,
    PricedModel[] Models);

/// <summary>A model of <see cref="PriceProvider"/>: the ids it answers to and its prices over time.</summary>
internal sealed record PricedModel(string Id, ModelMatch Match, DatedPrice[] Prices)
{
    /// <summary>The price in force on <paramref name="today"/>: genai-prices' rule, the last entry already started.</summary>
    public ModelPrice InForce(DateOnly today)
    {
        for (var i = Prices.Length - 1; i >= 0; i--)
        {
            if (Prices[i].From is not { } from || from <= today)
                return Prices[i].Price;
        }
        return Prices[0].Price;
    }
}

/// <summary>A price and the day it took effect (null: since the model's listing).</summary>
internal readonly record struct DatedPrice(DateOnly? From, ModelPrice Price);
