using System.Collections.Immutable;
using YamlDotNet.RepresentationModel;

namespace EdgeGw.Config;

/// <summary>
/// Reads <c>model_group_alias</c>: <c>{"gpt-4": "gpt-4o"}</c>, or <c>{"gpt-4": {model: "gpt-4o", hidden: true}}</c>
/// to serve the alias without listing it in <c>/v1/models</c>.
/// </summary>
internal static class ModelAliasReader
{
    public static ImmutableArray<ModelAlias> Read(YamlValues values, YamlNode? node, string path)
    {
        var map = YamlValues.Mapping(node, path);
        if (map is null)
            return [];
        var result = ImmutableArray.CreateBuilder<ModelAlias>(map.Children.Count);
        foreach (var (k, v) in map.Children)
        {
            var alias = ((YamlScalarNode)k).Value ?? "";
            var entryPath = $"{path}.{alias}";
            if (v is YamlMappingNode entry)
            {
                foreach (var key in entry.Children.Keys.OfType<YamlScalarNode>())
                {
                    if (key.Value is not ("model" or "hidden"))
                        throw new ConfigException($"{entryPath}.{key.Value}", "unknown key (an alias takes model and hidden)");
                }
                result.Add(new ModelAlias(alias,
                    values.Required(Child(entry, "model"), $"{entryPath}.model"),
                    values.Bool(Child(entry, "hidden"), $"{entryPath}.hidden") ?? false));
            }
            else
            {
                result.Add(new ModelAlias(alias, values.Required(v, entryPath), Hidden: false));
            }
        }
        return result.ToImmutable();
    }

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;
}
