using System.Buffers;
using System.Text;
using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace EdgeGw.Config;

/// <summary>
/// A YAML mapping written as JSON text: LiteLLM accepts structured <c>litellm_params</c> (a service-account
/// key pasted inline as <c>vertex_credentials</c>) as a dict where adapters expect the JSON string.
/// </summary>
internal static class YamlJson
{
    public static string Write(YamlValues values, YamlMappingNode mapping, string path)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
            WriteNode(values, writer, mapping, path);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteNode(YamlValues values, Utf8JsonWriter writer, YamlNode node, string path)
    {
        switch (node)
        {
            case YamlMappingNode map:
                writer.WriteStartObject();
                foreach (var (k, v) in map.Children)
                {
                    var key = ((YamlScalarNode)k).Value ?? "";
                    writer.WritePropertyName(key);
                    WriteNode(values, writer, v, $"{path}.{key}");
                }
                writer.WriteEndObject();
                break;
            case YamlSequenceNode list:
                writer.WriteStartArray();
                for (var i = 0; i < list.Children.Count; i++)
                    WriteNode(values, writer, list.Children[i], $"{path}[{i}]");
                writer.WriteEndArray();
                break;
            default:
                // Service-account fields are all strings; keeping scalars as strings loses nothing an adapter reads.
                if (values.String(node, path) is { } text)
                    writer.WriteStringValue(text);
                else
                    writer.WriteNullValue();
                break;
        }
    }
}
