using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Collections.Immutable;
using EdgeGw.Config;
using EdgeGw.Providers;

namespace EdgeGw.Routing;

/// <summary>
/// Resolves the <c>model</c> a client sends to a group, in LiteLLM's order: a <c>model_group_alias</c>
/// to its target, an exact <c>model_name</c> or <c>model_info.id</c>, then wildcard <c>model_name</c>s,
/// most specific first (a bare name also tries them with its inferred <c>provider/</c> prefix).
/// Exact lookups take the name as a span and allocate nothing; a wildcard match builds its group once
/// per distinct name and keeps it for the life of the config.
/// </summary>
internal sealed class ModelRegistry
{
    // Bounds what clients can make the registry remember by inventing names; past it, groups are per request.
    private const int MaxResolvedNames = 1024;

    private readonly FrozenDictionary<string, ModelGroup> _byName;
    private readonly FrozenDictionary<string, ModelGroup>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly WildcardRoute[] _routes;
    private readonly FrozenDictionary<string, ModelAlias> _aliases;
    private readonly ConcurrentDictionary<string, ModelGroup> _resolved = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ModelGroup>.AlternateLookup<ReadOnlySpan<char>> _resolvedLookup;
    private readonly Func<Deployment, ChatEndpoint> _create;
    private readonly RouterSettings? _settings;

    private ModelRegistry(ChatEndpoint[] all, Deployment[] wildcards, RouterSettings? settings, Func<Deployment, ChatEndpoint> create)
    {
        _settings = settings;
        _create = create;
        _resolvedLookup = _resolved.GetAlternateLookup<ReadOnlySpan<char>>();
        Groups = [.. all.GroupBy(e => e.Deployment.ModelName, StringComparer.Ordinal)
            .Select(g => new ModelGroup(g.Key, [.. g], settings))];
        var byName = Groups.ToDictionary(g => g.Name, StringComparer.Ordinal);
        foreach (var endpoint in all)
            byName.TryAdd(endpoint.Deployment.Id, new ModelGroup(endpoint.Deployment.Id, [endpoint], settings));
        foreach (var deployment in wildcards)
            byName.TryAdd(deployment.Id, Group(deployment.ModelName, [create(deployment)]));
        // LiteLLM's (regex length, regex complexity), longest first; ties keep config order.
        _routes = [.. wildcards.GroupBy(d => d.ModelName, StringComparer.Ordinal)
            .Select(g => new WildcardRoute(new ModelPattern(g.Key), [.. g]))
            .OrderByDescending(r => r.Pattern.RegexLength).ThenByDescending(r => r.Pattern.Complexity)];

        // An alias of an exact group is one more exact name; an alias of a name a wildcard serves resolves on use.
        var aliases = settings?.ModelGroupAlias ?? [];
        var listed = ImmutableArray.CreateBuilder<ListedModel>();
        listed.AddRange(Groups.Select(g => new ListedModel(g.Name, null)));
        listed.AddRange(_routes.Select(r => new ListedModel(r.Pattern.Text, null)));
        var pending = new Dictionary<string, ModelAlias>(StringComparer.Ordinal);
        foreach (var alias in aliases)
        {
            if (byName.TryGetValue(alias.Target, out var group) && !group.IsAlias)
                byName[alias.Alias] = new ModelGroup(alias.Alias, group.Endpoints, settings) { AliasOf = group.Name };
            else
                pending[alias.Alias] = alias;
            if (!alias.Hidden)
                listed.Add(new ListedModel(alias.Alias, alias.Target));
        }
        _aliases = pending.ToFrozenDictionary(StringComparer.Ordinal);
        Listed = listed.ToImmutable();
        _byName = byName.ToFrozenDictionary(StringComparer.Ordinal);
        _lookup = _byName.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The config's <c>model_info.access_groups</c>, each with the model names it allows.</summary>
    public AccessGroups AccessGroups { get; private init; } = AccessGroups.Empty;

    /// <summary>The model groups of exact names in config order, each once (health checks and metrics walk these).</summary>
    public ImmutableArray<ModelGroup> Groups { get; }

    /// <summary>What <c>/v1/models</c> lists: model names, wildcard names, and aliases not hidden.</summary>
    public ImmutableArray<ListedModel> Listed { get; }

    public bool TryFind(ReadOnlySpan<char> name, out ModelGroup group)
    {
        if (_lookup.TryGetValue(name, out group!))
            return true;
        if (_routes.Length == 0)
            return false;
        return _resolvedLookup.TryGetValue(name, out group!) || TryResolve(name.ToString(), out group);
    }

    public static ModelRegistry Build(GatewayConfig config, ChatEndpointFactory factory, Action<ChatEndpoint>? bind = null)
    {
        ChatEndpoint Create(Deployment deployment)
        {
            var endpoint = factory.Create(deployment);
            bind?.Invoke(endpoint);
            return endpoint;
        }
        return new ModelRegistry(
            [.. config.Deployments.Where(d => !d.IsWildcard).Select(Create)],
            [.. config.Deployments.Where(d => d.IsWildcard)],
            config.Router,
            deployment => deployment.Pattern is null && deployment.IsWildcard
                ? new UnroutableChatEndpoint(deployment, $"'{deployment.ModelName}' is a wildcard model_name: send a model it matches")
                : Create(deployment))
        {
            AccessGroups = AccessGroups.From(config.Deployments),
        };
    }

    private bool TryResolve(string name, out ModelGroup group)
    {
        var alias = _aliases.GetValueOrDefault(name);
        var target = alias?.Target ?? name;
        group = alias is not null && _lookup.TryGetValue(target, out var exact) ? exact : Match(name, target)!;
        if (group is null)
            return false;
        if (alias is not null)
            group = new ModelGroup(name, group.Endpoints, _settings) { AliasOf = target };
        if (_resolved.Count < MaxResolvedNames)
            group = _resolved.GetOrAdd(name, group);
        return true;
    }

    /// <summary>The group serving <paramref name="target"/> through the most specific wildcard it matches, named <paramref name="requested"/>.</summary>
    private ModelGroup? Match(string requested, string target)
    {
        var candidates = target.Contains('/', StringComparison.Ordinal) || ProviderInference.LitellmProvider(target) is not { } provider
            ? [target]
            : new[] { target, provider + "/" + target };
        foreach (var candidate in candidates)
        {
            foreach (var route in _routes)
            {
                var captures = new Range[route.Pattern.Wildcards];
                if (route.Pattern.TryMatch(candidate, captures))
                    return Build(route, requested, candidate, captures);
            }
        }
        return null;
    }

    private ModelGroup Build(WildcardRoute route, string requested, string matched, ReadOnlySpan<Range> captures)
    {
        var endpoints = new List<ChatEndpoint>(route.Deployments.Length);
        ChatEndpoint? refusal = null;
        foreach (var template in route.Deployments)
        {
            var problem = WildcardRoute.Expand(template, requested, matched, captures, out var deployment);
            if (problem is null)
                endpoints.Add(_create(deployment));
            else
                refusal ??= new UnroutableChatEndpoint(deployment, problem);
        }
        return Group(requested, endpoints.Count > 0 ? [.. endpoints] : [refusal!]);
    }

    private ModelGroup Group(string name, ChatEndpoint[] endpoints) => new(name, endpoints, _settings);
}

/// <summary>A name <c>/v1/models</c> lists; <see cref="AliasOf"/> is the group an alias serves.</summary>
internal readonly record struct ListedModel(string Name, string? AliasOf);
