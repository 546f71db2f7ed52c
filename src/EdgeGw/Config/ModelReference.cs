using System.Collections.Frozen;
using EdgeGw.Providers;

namespace EdgeGw.Config;

/// <summary>
/// Splits <c>litellm_params.model</c> into provider and model id. A name without a <c>provider/</c>
/// prefix gets the provider LiteLLM infers for it; a wildcard LiteLLM cannot infer one for
/// (<c>model: "*"</c>) gets its provider per request, from the name the client sends.
/// </summary>
internal static class ModelReference
{
    /// <summary>The provider of a deployment whose requests each name their own.</summary>
    public const string PerRequest = "";

    public static (string Provider, string ModelId) Parse(string model, string path) =>
        TryParse(model, out var provider, out var modelId) is { } problem ? throw new ConfigException(path, problem) : (provider, modelId);

    /// <summary>What is wrong with <paramref name="model"/> as a provider model, or null with its provider and id.</summary>
    public static string? TryParse(string model, out string provider, out string modelId)
    {
        modelId = model;
        var slash = model.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && slash < model.Length - 1)
        {
            provider = model[..slash];
            modelId = model[(slash + 1)..];
            return ProviderCatalog.Find(provider) is null
                ? $"unknown provider '{provider}' (supported: {string.Join(", ", ProviderCatalog.Names)})"
                : null;
        }
        provider = PerRequest;
        if (model.Contains('*', StringComparison.Ordinal) && ProviderInference.LitellmProvider(model) is null)
            return null;
        var problem = ProviderInference.Explain(model, out var inferred);
        provider = inferred ?? PerRequest;
        return problem;
    }

    /// <summary>
    /// A per-request deployment completed for every provider (LiteLLM resolves keys and bases once the
    /// request names the provider); one that cannot be completed, e.g. Azure without a base, is left out.
    /// </summary>
    public static FrozenDictionary<string, Deployment> PerProvider(
        Deployment entry, Func<ProviderInfo, (string? ApiBase, string? ApiKey, string? ApiVersion)> complete)
    {
        var result = new Dictionary<string, Deployment>(StringComparer.Ordinal);
        foreach (var name in ProviderCatalog.Names)
        {
            try
            {
                var (apiBase, apiKey, apiVersion) = complete(ProviderCatalog.Find(name)!);
                result[name] = entry with { Provider = name, ApiBase = apiBase?.TrimEnd('/'), ApiKey = apiKey, ApiVersion = apiVersion };
            }
            catch (ConfigException)
            {
                // Requests naming this provider get a 400 saying what the entry lacks.
            }
        }
        return result.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
