using System.Collections.Frozen;
using YamlDotNet.RepresentationModel;

namespace EdgeGw.Config;

/// <summary>
/// LiteLLM's top-level <c>credential_list</c>: named sets of litellm_params (api_key, api_base, aws_*, vertex_*, …)
/// that deployments borrow through <c>litellm_params.litellm_credential_name</c>. Scalars are resolved here
/// (<c>os.environ/</c>, as LiteLLM does when it loads the list), so an unset variable is reported once, at the credential.
/// </summary>
internal static class CredentialListReader
{
    public const string NameParam = "litellm_credential_name";

    public static FrozenDictionary<string, YamlMappingNode> Read(YamlValues values, YamlNode? node)
    {
        var list = YamlValues.Sequence(node, "credential_list");
        if (list is null)
            return FrozenDictionary<string, YamlMappingNode>.Empty;
        var result = new Dictionary<string, YamlMappingNode>(StringComparer.Ordinal);
        for (var i = 0; i < list.Children.Count; i++)
        {
            var path = $"credential_list[{i}]";
            var entry = YamlValues.Mapping(list.Children[i], path) ?? throw new ConfigException(path, "empty entry");
            var name = values.Required(YamlValues.Child(entry, "credential_name"), $"{path}.credential_name");
            var credentialValues = Resolve(values, YamlValues.Mapping(YamlValues.Child(entry, "credential_values"), $"{path}.credential_values")
                ?? throw new ConfigException($"{path}.credential_values", "required (e.g. api_key: os.environ/AZURE_API_KEY)"), $"{path}.credential_values");
            // LiteLLM upserts by name, so a later entry replaces an earlier one.
            if (!result.TryAdd(name, credentialValues))
            {
                values.Warn($"{path}: credential_name '{name}' is listed twice; the later entry is used");
                result[name] = credentialValues;
            }
        }
        return result.ToFrozenDictionary(StringComparer.Ordinal);
    }

    // Quoted, so a resolved value such as "null" or "8080" stays the text it was.
    private static YamlMappingNode Resolve(YamlValues values, YamlMappingNode credentialValues, string path)
    {
        var resolved = new YamlMappingNode();
        foreach (var (key, value) in credentialValues.Children)
        {
            if (value is not YamlScalarNode)
            {
                resolved.Children[key] = value; // e.g. vertex_credentials inline, written as JSON by the deployment reader
                continue;
            }
            var text = values.String(value, $"{path}.{((YamlScalarNode)key).Value}");
            if (text is not null)
                resolved.Children[key] = new YamlScalarNode(text) { Style = YamlDotNet.Core.ScalarStyle.DoubleQuoted };
        }
        return resolved;
    }

    /// <summary>The credential a <c>model_list</c> entry borrows (<c>litellm_params.litellm_credential_name</c>), if any.</summary>
    public static string? NameIn(YamlValues values, YamlNode entry, int index) =>
        entry is YamlMappingNode map && YamlValues.Child(map, "litellm_params") is YamlMappingNode p
            ? values.String(YamlValues.Child(p, NameParam), $"model_list[{index}].litellm_params.{NameParam}")
            : null;

    /// <summary>
    /// The deployment's litellm_params with the named credential's values underneath: a key the deployment
    /// sets itself wins, as LiteLLM's load_credentials_from_list only fills keys that are absent.
    /// </summary>
    public static YamlMappingNode Apply(YamlValues values, YamlMappingNode litellmParams, string paramsPath,
        FrozenDictionary<string, YamlMappingNode> credentials)
    {
        var name = values.String(YamlValues.Child(litellmParams, NameParam), $"{paramsPath}.{NameParam}");
        if (name is null)
            return litellmParams;
        if (!credentials.TryGetValue(name, out var credential))
        {
            var known = credentials.Count == 0 ? "credential_list is empty and none is stored" : $"known: {string.Join(", ", credentials.Keys.Order(StringComparer.Ordinal))}";
            throw new ConfigException($"{paramsPath}.{NameParam}", $"no credential named '{name}' in credential_list or stored through /credentials ({known})");
        }
        var merged = new YamlMappingNode();
        foreach (var (key, value) in credential.Children)
            merged.Children[key] = value;
        foreach (var (key, value) in litellmParams.Children)
            merged.Children[key] = value;
        return merged;
    }
}
