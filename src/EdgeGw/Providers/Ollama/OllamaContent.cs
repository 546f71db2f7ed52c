using System.Text;
using System.Text.Json;
using EdgeGw.Api;

namespace EdgeGw.Providers.Ollama;

/// <summary>
/// An OpenAI message's <c>content</c> in Ollama's terms: one string (text parts joined, as LiteLLM
/// joins them) and a list of base64 images (Ollama takes them bare, without the <c>data:</c> prefix).
/// </summary>
internal static class OllamaContent
{
    /// <summary>Reads <paramref name="content"/> into its text, adding its images to <paramref name="images"/> (null: images not allowed).</summary>
    public static GatewayError? Read(JsonElement content, string role, List<string>? images, out string text)
    {
        text = "";
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                text = content.GetString()!;
                return null;
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return null;
            case JsonValueKind.Array:
                break;
            default:
                return Invalid($"A {role} message's content must be a string or an array of content parts.");
        }
        var joined = new StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            var type = part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
                ? t.GetString()
                : null;
            switch (type)
            {
                case "text" when part.TryGetProperty("text", out var value) && value.ValueKind == JsonValueKind.String:
                    joined.Append(value.GetString());
                    break;
                case "image_url" when images is not null:
                    var error = Image(part, images);
                    if (error is not null)
                        return error;
                    break;
                case "refusal":
                    break;
                default:
                    return Invalid($"Ollama does not support content parts of type '{type}' in a {role} message.");
            }
        }
        text = joined.ToString();
        return null;
    }

    private static GatewayError? Image(JsonElement part, List<string> images)
    {
        var image = part.TryGetProperty("image_url", out var i) ? i : default;
        var url = image.ValueKind switch
        {
            JsonValueKind.String => image.GetString(),
            JsonValueKind.Object when image.TryGetProperty("url", out var u) && u.ValueKind == JsonValueKind.String => u.GetString(),
            _ => null,
        };
        if (string.IsNullOrEmpty(url))
            return Invalid("An image_url part needs a 'url'.");
        // The gateway does not fetch URLs on a client's behalf.
        if (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            return Invalid("Ollama takes images inline: send a data: URL (data:image/png;base64,...) rather than an http(s) URL.");
        const string Base64Marker = ";base64,";
        if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            var marker = url.IndexOf(Base64Marker, StringComparison.OrdinalIgnoreCase);
            if (marker < 0)
                return Invalid("An image data: URL must be base64 (data:<mime type>;base64,<data>).");
            url = url[(marker + Base64Marker.Length)..];
        }
        images.Add(url);
        return null;
    }

    public static GatewayError Invalid(string message) => GatewayError.BadRequest(message, "messages");

    public static string? Role(JsonElement message) =>
        message.ValueKind == JsonValueKind.Object && message.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
}
