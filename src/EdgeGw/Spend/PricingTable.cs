using System.Collections.Concurrent;
using System.Collections.Frozen;

namespace EdgeGw.Spend;

/// <summary>
/// Finds a deployment's price by provider and upstream model id: the user's cost map
/// (<c>provider/model</c>, then <c>model</c>, as LiteLLM looks it up), else the built-in database —
/// the provider's models (then the providers it falls back to), by the id, then with a
/// <c>-YYYYMMDD</c> date suffix written <c>-YYYY-MM-DD</c>, then by the part after the last
/// <c>/</c>. A provider the database does not list (and <c>mock/</c>, which prices as the model it
/// imitates) is found from the model id (<c>claude-*</c> → Anthropic); self-hosted providers cost
/// nothing. Answers are cached per (provider, model), so a request's lookup allocates nothing.
/// </summary>
internal sealed class PricingTable
{
    private const int MaxCached = 4096;

    // LiteLLM provider names that are not genai-prices ids and that its provider_match rules miss.
    private static readonly FrozenDictionary<string, string> Aliases = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["fireworks_ai"] = "fireworks",
        ["azure_ai"] = "azure",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenSet<string> SelfHosted =
        new[] { "ollama", "ollama_chat", "hosted_vllm", "lm_studio" }.ToFrozenSet(StringComparer.Ordinal);

    private static PricingTable _current = new(BuiltInPrices.Instance, null);

    private readonly BuiltInPrices _builtIn;
    private readonly CostMap? _costMap;
    private readonly Func<DateOnly> _today;
    private readonly ConcurrentDictionary<(string Provider, string Model), ModelPrice?> _cache = new();

    public PricingTable(BuiltInPrices builtIn, CostMap? costMap, Func<DateOnly>? today = null)
    {
        _builtIn = builtIn;
        _costMap = costMap;
        _today = today ?? (() => DateOnly.FromDateTime(DateTime.UtcNow));
    }

    /// <summary>The table requests are billed with; replaced at start-up when a cost map is configured.</summary>
    public static PricingTable Current
    {
        get => Volatile.Read(ref _current);
        set => Volatile.Write(ref _current, value);
    }

    public static ModelPrice? Find(string provider, string modelId) => Current.Lookup(provider, modelId);

    public ModelPrice? Lookup(string provider, string modelId)
    {
        if (_cache.TryGetValue((provider, modelId), out var cached))
            return cached;
        var price = Resolve(provider, modelId);
        // A wildcard deployment passes any model name through: bound what callers can add.
        if (_cache.Count < MaxCached)
            _cache.TryAdd((provider, modelId), price);
        return price;
    }

    private ModelPrice? Resolve(string provider, string modelId)
    {
        if (_costMap is { } map
            && (map.Prices.TryGetValue(provider + "/" + modelId, out var user) || map.Prices.TryGetValue(modelId, out user)))
            return user;

        var id = modelId.Trim().ToLowerInvariant();
        var source = FindProvider(provider.ToLowerInvariant());
        if (source is null)
        {
            if (SelfHosted.Contains(provider))
                return null;
            source = Array.Find(_builtIn.Providers, p => p.ModelMatch?.Matches(id) == true);
            if (source is null)
                return null;
        }
        var model = FindModel(source, id, 0);
        if (model is null && id.LastIndexOf('/') is var slash and >= 0)
            model = FindModel(source, id[(slash + 1)..], 0);
        return model?.InForce(_today());
    }

    private PriceProvider? FindProvider(string name)
    {
        if (Aliases.TryGetValue(name, out var alias))
            name = alias;
        return Array.Find(_builtIn.Providers, p => p.Id == name)
            ?? Array.Find(_builtIn.Providers, p => p.ProviderMatch?.Matches(name) == true);
    }

    private PricedModel? FindModel(PriceProvider provider, string id, int depth)
    {
        var model = Array.Find(provider.Models, m => m.Match.Matches(id));
        if (model is null && WithDashedDate(id) is { } dashed)
            model = Array.Find(provider.Models, m => m.Match.Matches(dashed));
        if (model is not null || depth > 0)
            return model;
        foreach (var fallback in provider.Fallbacks)
        {
            if (Array.Find(_builtIn.Providers, p => p.Id == fallback) is { } next && FindModel(next, id, depth + 1) is { } found)
                return found;
        }
        return null;
    }

    /// <summary>genai-prices' date rule: <c>claude-x-20250514</c> is also tried as <c>claude-x-2025-05-14</c>.</summary>
    private static string? WithDashedDate(string id)
    {
        for (var i = 0; i + 9 <= id.Length; i++)
        {
            if (id[i] != '-' || !IsDate(id.AsSpan(i + 1, 8)) || (i + 9 < id.Length && id[i + 9] is not ('-' or ':')))
                continue;
            return $"{id.AsSpan(0, i + 5)}-{id.AsSpan(i + 5, 2)}-{id.AsSpan(i + 7)}";
        }
        return null;
    }

    private static bool IsDate(ReadOnlySpan<char> digits) =>
        digits[0] == '2' && digits[1] == '0' && !digits.ContainsAnyExceptInRange('0', '9')
        && DateOnly.TryParseExact(digits, "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _);
}
