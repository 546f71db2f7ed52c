using System.Text.Json;

namespace EdgeGw.Ops;

/// <summary>
/// LiteLLM's <c>SensitiveDataMasker</c>, as <c>/model/info</c> applies it to <c>litellm_params</c>: a key is
/// sensitive when one of its <c>_</c>/<c>-</c> separated segments names a secret (and none says <c>cost</c>);
/// its value keeps 4 characters each end, and a value of 8 or fewer is all stars.
/// </summary>
internal static class SensitiveDataMasker
{
    private static readonly string[] Patterns =
    [
        "password", "secret", "key", "token", "auth", "authorization", "credential", "credentials", "secrets",
        "passwords", "access", "private", "certificate", "certificates", "fingerprint", "tenancy",
    ];

    /// <summary>Params LiteLLM's <c>remove_sensitive_info_from_deployment</c> drops before masking the rest.</summary>
    private static readonly string[] Removed = ["api_key", "client_secret", "vertex_credentials", "aws_access_key_id", "aws_secret_access_key"];

    public static bool IsRemoved(string key) => Array.IndexOf(Removed, key) >= 0;

    public static bool IsSensitiveKey(string key)
    {
        var segments = key.ToLowerInvariant().Replace('-', '_').Split('_');
        if (Array.IndexOf(segments, "cost") >= 0)
            return false;
        foreach (var segment in segments)
        {
            if (Array.IndexOf(Patterns, segment) >= 0)
                return true;
        }
        return false;
    }

    public static string Mask(string value) =>
        value.Length <= 8 ? new string('*', value.Length) : string.Concat(value.AsSpan(0, 4), new string('*', value.Length - 8), value.AsSpan(value.Length - 4));

    /// <summary>One <c>litellm_params</c> entry as LiteLLM shows it: dropped, masked, or (a mapping) masked key by key.</summary>
    public static void Write(Utf8JsonWriter json, string name, string value)
    {
        if (IsRemoved(name))
            return;
        if (value.StartsWith('{') && TryParse(value) is { } mapping)
        {
            using (mapping)
            {
                json.WritePropertyName(name);
                WriteMasked(json, mapping.RootElement, sensitive: false, depth: 0);
            }
            return;
        }
        json.WriteString(name, IsSensitiveKey(name) ? Mask(value) : value);
    }

    private static JsonDocument? TryParse(string value)
    {
        try
        {
            var document = JsonDocument.Parse(value);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
                return document;
            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // LiteLLM recurses into mappings and lists; a scalar under a secret-named key is masked as text.
    private static void WriteMasked(Utf8JsonWriter json, JsonElement element, bool sensitive, int depth)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object when depth < 10:
                json.WriteStartObject();
                foreach (var p in element.EnumerateObject())
                {
                    json.WritePropertyName(p.Name);
                    WriteMasked(json, p.Value, IsSensitiveKey(p.Name), depth + 1);
                }
                json.WriteEndObject();
                break;
            case JsonValueKind.Array when depth < 10:
                json.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                    WriteMasked(json, item, sensitive, depth + 1);
                json.WriteEndArray();
                break;
            case JsonValueKind.Object or JsonValueKind.Array:
                json.WriteStringValue("<unable to serialize>"); // deeper than LiteLLM walks: never shown unmasked
                break;
            case JsonValueKind.String when sensitive:
                json.WriteStringValue(Mask(element.GetString()!));
                break;
            case JsonValueKind.Null when sensitive:
                json.WriteStringValue("");
                break;
            default:
                if (sensitive)
                    json.WriteStringValue(Mask(element.GetRawText()));
                else
                    element.WriteTo(json);
                break;
        }
    }
}
