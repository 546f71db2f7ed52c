using System.Collections.Immutable;
using YamlDotNet.RepresentationModel;

namespace EdgeGw.Config;

/// <summary>
/// One place a config names its Redis, read by redis-py's kwarg names (<c>host</c>, <c>ssl_cert_reqs</c>, …).
/// Its maps are searched in order; <see cref="Aliases"/> give a kwarg's name in that block
/// (<c>router_settings.redis_host</c>, <c>cache_params.redis_startup_nodes</c>).
/// </summary>
internal sealed record RedisBlock(string Path, ImmutableArray<RedisBlockMap> Maps, ImmutableArray<(string Kwarg, string Key)> Aliases)
{
    /// <summary>No config block: only <c>REDIS_*</c> in the environment.</summary>
    public static readonly RedisBlock Environment = new("environment", [], []);

    public bool IsEnvironment => Maps.IsEmpty;

    public (string? Value, string? Path) String(YamlValues values, string kwarg)
    {
        var (node, path) = Find(kwarg);
        return values.String(node, path) is { } value ? (value, path) : (null, null);
    }

    public int? Int(YamlValues values, string kwarg)
    {
        var (node, path) = Find(kwarg);
        return values.NonNegativeInt(node, path);
    }

    public int? Port(YamlValues values)
    {
        var (node, path) = Find("port");
        var port = values.Int(node, path);
        return port is < 1 or > 65535 ? throw new ConfigException(path, $"expected a port between 1 and 65535, got {port}") : port;
    }

    public bool? Bool(YamlValues values, string kwarg)
    {
        var (node, path) = Find(kwarg);
        return values.Bool(node, path);
    }

    public (ImmutableArray<RedisNode> Nodes, string? Path) Nodes(YamlValues values, string kwarg)
    {
        var (node, path) = Find(kwarg);
        return YamlValues.IsNull(node) ? ([], null) : (RedisSettingsNodes.FromYaml(values, node, path), path);
    }

    /// <summary><c>ssl_cert_reqs: null</c> written out means "none", as redis-py reads <c>None</c>.</summary>
    public RedisCertificateCheck? CertificateCheck(YamlValues values)
    {
        var (node, path) = Find("ssl_cert_reqs");
        if (node is not null && YamlValues.IsNull(node))
            return RedisCertificateCheck.None;
        return values.String(node, path) is { } text ? RedisSettingsReader.CertificateCheck(text, path) : null;
    }

    private (YamlNode? Node, string Path) Find(string kwarg)
    {
        var alias = Aliases.FirstOrDefault(a => a.Kwarg == kwarg).Key;
        foreach (var map in Maps)
        {
            if (!map.AliasesOnly && YamlValues.Child(map.Map, kwarg) is { } node)
                return (node, $"{map.Path}.{kwarg}");
            if (alias is not null && YamlValues.Child(map.Map, alias) is { } aliased)
                return (aliased, $"{map.Path}.{alias}");
        }
        return (null, $"{Path}.{kwarg}");
    }
}

/// <summary>A mapping of a <see cref="RedisBlock"/>; <see cref="AliasesOnly"/> when its other keys are not Redis's (<c>router_settings</c>).</summary>
internal sealed record RedisBlockMap(YamlMappingNode? Map, string Path, bool AliasesOnly = false);
