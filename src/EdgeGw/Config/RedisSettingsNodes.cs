using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace EdgeGw.Config;

/// <summary>
/// LiteLLM's node lists: Cluster startup nodes as <c>[{"host": …, "port": …}]</c>, Sentinels as
/// <c>[[host, port]]</c>, written in YAML or as JSON text (an environment variable, <c>os.environ/…</c>).
/// Either shape is read for either list; a port may be a number or a string, as redis-py takes both.
/// </summary>
internal static class RedisSettingsNodes
{
    private const string Expected = "expected a list of nodes, each {\"host\": \"…\", \"port\": 6379} or [\"host\", 6379]";

    public static ImmutableArray<RedisNode> FromYaml(YamlValues values, YamlNode? node, string path)
    {
        if (YamlValues.IsNull(node))
            return [];
        if (node is YamlScalarNode)
            return values.String(node, path) is { } json ? FromJson(json, path) : [];
        var list = YamlValues.Sequence(node, path)!;
        var nodes = ImmutableArray.CreateBuilder<RedisNode>(list.Children.Count);
        for (var i = 0; i < list.Children.Count; i++)
        {
            var at = $"{path}[{i}]";
            var (host, port) = list.Children[i] switch
            {
                YamlMappingNode map => (values.String(YamlValues.Child(map, "host"), $"{at}.host"), values.String(YamlValues.Child(map, "port"), $"{at}.port")),
                YamlSequenceNode { Children.Count: 2 } pair => (values.String(pair.Children[0], $"{at}[0]"), values.String(pair.Children[1], $"{at}[1]")),
                _ => throw new ConfigException(at, Expected),
            };
            nodes.Add(Node(host, port, at));
        }
        return Validated(nodes.ToImmutable(), path);
    }

    public static ImmutableArray<RedisNode> FromJson(string json, string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new ConfigException(path, $"{Expected}, as JSON ({e.Message})");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
                throw new ConfigException(path, Expected);
            var nodes = ImmutableArray.CreateBuilder<RedisNode>();
            var i = 0;
            foreach (var item in document.RootElement.EnumerateArray())
            {
                var at = $"{path}[{i++}]";
                var (host, port) = item.ValueKind switch
                {
                    JsonValueKind.Object => (Text(item, "host"), Text(item, "port")),
                    JsonValueKind.Array when item.GetArrayLength() == 2 => (Text(item[0]), Text(item[1])),
                    _ => throw new ConfigException(at, Expected),
                };
                nodes.Add(Node(host, port, at));
            }
            return Validated(nodes.ToImmutable(), path);
        }
    }

    private static string? Text(JsonElement item, string name) => item.TryGetProperty(name, out var value) ? Text(value) : null;

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        _ => null,
    };

    private static RedisNode Node(string? host, string? port, string path)
    {
        if (string.IsNullOrWhiteSpace(host))
            throw new ConfigException(path, "needs a host");
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
            throw new ConfigException(path, $"needs a port between 1 and 65535, got '{port}'");
        return new RedisNode(host, number);
    }

    private static ImmutableArray<RedisNode> Validated(ImmutableArray<RedisNode> nodes, string path) =>
        nodes.Length > 0 ? nodes : throw new ConfigException(path, $"is empty; {Expected}");
}
