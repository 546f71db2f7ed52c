using System.Text.Json;

namespace EdgeGw.Providers.Gemini;

/// <summary>
/// JSON Schema (OpenAI <c>parameters</c>, <c>json_schema.schema</c>) → Gemini's OpenAPI-subset
/// <c>Schema</c>. Keeps only the keywords Gemini accepts — type, format (date-time, enum, int32,
/// int64, float, double), title, description, nullable, enum, items, properties, required,
/// anyOf, min/maxItems, min/maxProperties, min/maxLength, minimum, maximum, pattern, example,
/// default, propertyOrdering — and drops every other keyword (additionalProperties, $schema,
/// $id, $ref, $defs, strict, examples, patternProperties, …), which Gemini rejects with a 400.
/// Also: <c>type: ["string","null"]</c> → <c>type: "string", nullable: true</c>;
/// <c>oneOf</c> → <c>anyOf</c>; <c>const: x</c> → <c>enum: [x]</c>; local references
/// (<c>$ref: "#/$defs/X"</c> or <c>#/definitions/X</c>, as Pydantic writes them, also wrapped in a
/// one-element <c>allOf</c>) are inlined, since Gemini has no <c>$ref</c>. A recursive reference
/// fails the depth limit: a 400.
/// </summary>
internal static class GeminiSchemaTranslator
{
    private const int MaxDepth = 64;

    /// <summary>True when a function's parameters say nothing (no properties): Gemini rejects an empty OBJECT, so it is omitted.</summary>
    public static bool IsEmptyObject(JsonElement schema) =>
        schema.ValueKind != JsonValueKind.Object
        || !schema.TryGetProperty("properties", out var properties)
        || properties.ValueKind != JsonValueKind.Object
        || !properties.EnumerateObject().Any();

    /// <summary>Writes the translated schema; false when it nests deeper than Gemini (or sense) allows.</summary>
    public static bool Write(Utf8JsonWriter writer, JsonElement schema) => Write(writer, schema, schema, 0);

    private static bool Write(Utf8JsonWriter writer, JsonElement schema, JsonElement root, int depth)
    {
        if (depth > MaxDepth)
            return false;
        if (Referenced(schema, root) is { } target)
            return Write(writer, target, root, depth + 1);
        writer.WriteStartObject();
        if (schema.ValueKind == JsonValueKind.Object)
        {
            var nullableWritten = schema.TryGetProperty("nullable", out _);
            foreach (var keyword in schema.EnumerateObject())
            {
                if (!WriteKeyword(writer, keyword, root, depth, ref nullableWritten))
                    return false;
            }
        }
        writer.WriteEndObject();
        return true;
    }

    /// <summary>The schema a <c>$ref</c> (or a one-element <c>allOf</c>) stands for; an unresolvable one becomes <c>{}</c>.</summary>
    private static JsonElement? Referenced(JsonElement schema, JsonElement root)
    {
        if (schema.ValueKind != JsonValueKind.Object)
            return null;
        if (schema.TryGetProperty("allOf", out var allOf) && allOf.ValueKind == JsonValueKind.Array && allOf.GetArrayLength() == 1)
            return allOf[0];
        if (!schema.TryGetProperty("$ref", out var reference) || reference.ValueKind != JsonValueKind.String)
            return null;
        var path = reference.GetString()!;
        foreach (var prefix in (ReadOnlySpan<string>)["#/$defs/", "#/definitions/"])
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal)
                && root.TryGetProperty(prefix[2..^1], out var definitions) && definitions.ValueKind == JsonValueKind.Object
                && definitions.TryGetProperty(path[prefix.Length..], out var target))
                return target;
        }
        return default(JsonElement);
    }

    private static bool WriteKeyword(Utf8JsonWriter writer, JsonProperty keyword, JsonElement root, int depth, ref bool nullableWritten)
    {
        var value = keyword.Value;
        switch (keyword.Name)
        {
            case "type" when value.ValueKind == JsonValueKind.Array:
                string? single = null;
                var nullable = false;
                foreach (var t in value.EnumerateArray())
                {
                    if (t.ValueKind != JsonValueKind.String)
                        continue;
                    if (t.ValueEquals("null"))
                        nullable = true;
                    else
                        single ??= t.GetString();
                }
                if (single is not null)
                    writer.WriteString("type", single);
                if (nullable && !nullableWritten)
                {
                    writer.WriteBoolean("nullable", true);
                    nullableWritten = true;
                }
                return true;
            case "properties" when value.ValueKind == JsonValueKind.Object:
                writer.WriteStartObject("properties");
                foreach (var property in value.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    if (!Write(writer, property.Value, root, depth + 1))
                        return false;
                }
                writer.WriteEndObject();
                return true;
            case "items":
                writer.WritePropertyName("items");
                return Write(writer, value, root, depth + 1);
            case "anyOf" or "oneOf" when value.ValueKind == JsonValueKind.Array:
                writer.WriteStartArray("anyOf");
                foreach (var option in value.EnumerateArray())
                {
                    if (!Write(writer, option, root, depth + 1))
                        return false;
                }
                writer.WriteEndArray();
                return true;
            case "const":
                writer.WriteStartArray("enum");
                value.WriteTo(writer);
                writer.WriteEndArray();
                return true;
            case "format":
                if (value.ValueKind == JsonValueKind.String && IsSupportedFormat(value.GetString()))
                    keyword.WriteTo(writer);
                return true;
            case "type" or "title" or "description" or "nullable" or "enum" or "required" or "maxItems" or "minItems"
                or "minProperties" or "maxProperties" or "minLength" or "maxLength" or "minimum" or "maximum"
                or "pattern" or "example" or "default" or "propertyOrdering":
                keyword.WriteTo(writer);
                return true;
            default:
                return true;
        }
    }

    private static bool IsSupportedFormat(string? format) =>
        format is "date-time" or "enum" or "int32" or "int64" or "float" or "double";
}
