using System.Collections.Frozen;
using System.Collections.Immutable;
using EdgeGw.Config;
using EdgeGw.Providers;

namespace EdgeGw.Routing;

/// <summary>
/// Resolves the <c>model</c> a client sends to a group: by <c>model_name</c>, or by a deployment's
/// <c>model_info.id</c> (a group of one). Lookups take the name as a span: no string per request.
/// </summary>
internal sealed class ModelRegistry
{
    private readonly FrozenDictionary<string, ModelGroup> _byName;
    private readonly FrozenDictionary<string, ModelGroup>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public ModelRegistry(IEnumerable<ChatEndpoint> endpoints, RouterSettings? settings = null)
    {
        var all = endpoints.ToArray();
        Groups = [.. all.GroupBy(e => e.Deployment.ModelName, StringComparer.Ordinal)
            .Select(g => new ModelGroup(g.Key, [.. g], settings))];
        var byName = Groups.ToDictionary(g => g.Name, StringComparer.Ordinal);
        foreach (var endpoint in all)
            byName.TryAdd(endpoint.Deployment.Id, new ModelGroup(endpoint.Deployment.Id, [endpoint], settings));
        _byName = byName.ToFrozenDictionary(StringComparer.Ordinal);
        _lookup = _byName.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The model groups in config order, each once (what <c>/v1/models</c> lists).</summary>
    public ImmutableArray<ModelGroup> Groups { get; }

    public bool TryFind(ReadOnlySpan<char> name, out ModelGroup group) => _lookup.TryGetValue(name, out group!);

    public static ModelRegistry Build(GatewayConfig config, ChatEndpointFactory factory) =>
        new(config.Deployments.Select(factory.Create), config.Router);
}
