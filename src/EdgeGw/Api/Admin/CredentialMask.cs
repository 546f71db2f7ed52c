using System.Text.Json;

namespace EdgeGw.Api.Admin;

/// <summary>
/// Credential values as LiteLLM's <c>_get_masked_values</c> shows them: a value whose key names a secret (key, token,
/// secret, password, credentials, authorization) keeps its first and last two characters around four asterisks
/// ("*****" when four or shorter); nested objects are masked the same way; other values are shown as they are.
/// </summary>
internal static class CredentialMask
{
    private static readonly string[] SensitiveWords = ["authorization", "token", "key", "secret", "vertex_credentials", "credentials", "password", "passwd"];

    public static void Write(Utf8JsonWriter json, JsonElement values, int depth = 0)
    {
        json.WriteStartObject();
        foreach (var p in values.EnumerateObject())
        {
            json.WritePropertyName(p.Name);
            if (!IsSensitive(p.Name))
                p.Value.WriteTo(json);
            else if (p.Value.ValueKind == JsonValueKind.Object && depth < 20)
                Write(json, p.Value, depth + 1);
            else if (p.Value.ValueKind == JsonValueKind.String)
                json.WriteStringValue(Mask(p.Value.GetString()!));
            else
                p.Value.WriteTo(json);
        }
        json.WriteEndObject();
    }

    public static string Mask(string value) =>
        value.Length <= 4 ? "*****" : string.Concat(value.AsSpan(0, 2), "****", value.AsSpan(value.Length - 2));

    private static bool IsSensitive(string key)
    {
        foreach (var word in SensitiveWords)
        {
            if (key.Contains(word, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }
}
