using System.Collections.Immutable;
using System.Text.Json;
using EdgeGw.Json;

namespace EdgeGw.Storage;

/// <summary>A list of strings as a JSON array in one TEXT column.</summary>
internal static class StringList
{
    public static string Encode(ImmutableArray<string> values)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var json = new Utf8JsonWriter(buffer, JsonOptions.Writer))
        {
            json.WriteStartArray();
            foreach (var v in values.IsDefault ? [] : values)
                json.WriteStringValue(v);
            json.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static ImmutableArray<string> Decode(string text)
    {
        using var doc = JsonDocument.Parse(text);
        var builder = ImmutableArray.CreateBuilder<string>();
        foreach (var item in doc.RootElement.EnumerateArray())
            builder.Add(item.GetString() ?? "");
        return builder.ToImmutable();
    }
}
