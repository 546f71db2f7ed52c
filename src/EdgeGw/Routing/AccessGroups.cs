using System.Collections.Frozen;
using EdgeGw.Config;

namespace EdgeGw.Routing;

/// <summary>
/// LiteLLM's model access groups: each name in a deployment's <c>model_info.access_groups</c> stands,
/// in a key's or team's <c>models</c> list, for every <c>model_name</c> (wildcard ones included) that carries it.
/// Built once per config; a lookup allocates nothing.
/// </summary>
internal sealed class AccessGroups
{
    public static readonly AccessGroups Empty = new(FrozenDictionary<string, string[]>.Empty);

    private readonly FrozenDictionary<string, string[]> _models;

    private AccessGroups(FrozenDictionary<string, string[]> models) => _models = models;

    public static AccessGroups From(IEnumerable<Deployment> deployments)
    {
        var groups = deployments
            .SelectMany(d => d.AccessGroups, (d, group) => (Group: group, d.ModelName))
            .GroupBy(p => p.Group, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.ModelName).Distinct(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        return groups.Count == 0 ? Empty : new AccessGroups(groups.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>The model names access group <paramref name="name"/> allows, or null when no deployment carries it.</summary>
    public string[]? ModelsOf(string name) => _models.TryGetValue(name, out var models) ? models : null;
}
