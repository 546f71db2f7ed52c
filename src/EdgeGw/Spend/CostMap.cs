using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;

namespace EdgeGw.Spend;

/// <summary>
/// A user's cost map in LiteLLM's <c>model_prices_and_context_window.json</c> format: model name
/// (bare or <c>provider/model</c>) → <c>input_cost_per_token</c>, <c>output_cost_per_token</c>,
/// <c>cache_read_input_token_cost</c>, <c>cache_creation_input_token_cost</c> and their
/// <c>*_above_&lt;N&gt;k_tokens</c> tiers (dollars per token), and <c>max_output_tokens</c> for
/// reservations. Other fields are ignored.
/// </summary>
internal sealed class CostMap
{
    private const decimal PerMillion = 1_000_000m;
    private const string Above = "_above_";

    private CostMap(FrozenDictionary<string, ModelPrice> prices) => Prices = prices;

    public FrozenDictionary<string, ModelPrice> Prices { get; }

    public static CostMap Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException("a cost map is a JSON object of model name → prices");
        var prices = new Dictionary<string, ModelPrice>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var model = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }
            if (ReadEntry(ref reader, model) is { } price && model != "sample_spec")
                prices[model] = price;
        }
        return new CostMap(prices.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private static ModelPrice? ReadEntry(ref Utf8JsonReader reader, string model)
    {
        var rates = new Dictionary<string, (decimal Base, List<(long, decimal)> Tiers)>(StringComparer.Ordinal);
        long? maxOutput = null, maxInput = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.Number)
            {
                reader.Skip();
                continue;
            }
            if (field is "max_output_tokens" or "max_tokens")
            {
                // LiteLLM's legacy max_tokens is the output cap where max_output_tokens is missing.
                if (reader.TryGetInt64(out var cap) && cap > 0 && (field == "max_output_tokens" || maxOutput is null))
                    maxOutput = cap;
                continue;
            }
            if (field == "max_input_tokens")
            {
                if (reader.TryGetInt64(out var window) && window > 0)
                    maxInput = window;
                continue;
            }
            var perMillion = reader.GetDecimal() * PerMillion;
            // "input_cost_per_token_above_200k_tokens" is a tier of "input_cost_per_token" from 200,000 prompt tokens.
            var above = field.IndexOf(Above, StringComparison.Ordinal);
            if (above > 0 && field.EndsWith("k_tokens", StringComparison.Ordinal)
                && long.TryParse(field.AsSpan(above + Above.Length, field.Length - above - Above.Length - "k_tokens".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var thousands))
            {
                var rate = Rate(rates, field[..above]);
                rate.Tiers.Add((thousands * 1000, perMillion));
            }
            else
                rates[field] = (perMillion, Rate(rates, field).Tiers);
        }
        TieredRate? Get(string field) => rates.TryGetValue(field, out var r)
            ? new TieredRate(r.Base, [.. r.Tiers.OrderBy(t => t.Item1)])
            : null;
        var input = Get("input_cost_per_token");
        var output = Get("output_cost_per_token");
        if (input is null && output is null)
            return null;
        return new ModelPrice(model, input ?? 0m, output ?? 0m, Get("cache_read_input_token_cost"), Get("cache_creation_input_token_cost"), maxOutput, maxInput);
    }

    private static (decimal Base, List<(long, decimal)> Tiers) Rate(Dictionary<string, (decimal Base, List<(long, decimal)> Tiers)> rates, string field)
    {
        if (!rates.TryGetValue(field, out var rate))
            rates[field] = rate = (0m, []);
        return rate;
    }
}
