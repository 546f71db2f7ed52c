using System.Text.Json;
using EdgeGw.Config;

namespace EdgeGw.Spend;

/// <summary>
/// LiteLLM's <c>LITELLM_MODEL_COST_MAP_URL</c>: a local path or <c>file://</c> URL to a cost map
/// whose entries override the built-in prices. An http(s) URL is not fetched — start-up does not
/// depend on the network — so it is reported in one line and the built-in prices are used.
/// </summary>
internal static class CostMapSetup
{
    public const string Variable = "LITELLM_MODEL_COST_MAP_URL";

    /// <summary>The table to bill with. Throws <see cref="ConfigException"/> when a local map cannot be read.</summary>
    public static PricingTable Load(Func<string, string?> environment, TextWriter log)
    {
        var builtIn = BuiltInPrices.Instance;
        var location = environment(Variable)?.Trim();
        if (string.IsNullOrEmpty(location))
            return new PricingTable(builtIn, null);
        if (location.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || location.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            log.WriteLine($"edgegw: {Variable} is a URL, which is not fetched; billing with the built-in prices " +
                $"(genai-prices {builtIn.Version}, {builtIn.Published}). Download the file and set {Variable} to its path to use it.");
            return new PricingTable(builtIn, null);
        }
        var path = Uri.TryCreate(location, UriKind.Absolute, out var uri) && uri.IsFile ? uri.LocalPath : location;
        CostMap map;
        try
        {
            map = CostMap.Parse(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException or FormatException)
        {
            throw new ConfigException(Variable, $"cannot read the cost map {path}: {e.Message}");
        }
        log.WriteLine($"edgegw: {map.Prices.Count} model prices from {path} override the built-in prices.");
        return new PricingTable(builtIn, map);
    }
}
