using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Json;

namespace EdgeGw.Providers.Ollama;

/// <summary>
/// An OpenAI message's <c>content</c> in Ollama's terms: one string (text parts joined, as LiteLLM
/// joins them) and a list of base64 images (Ollama takes them bare, without the <c>data:</c> prefix).
/// Read in place (<see cref="RawJson"/>): text is copied as the client escaped it, never decoded.
/// </summary>
internal static class OllamaContent
{
    /// <summary>Appends <paramref name="content"/>'s text to <paramref name="text"/>, its images to <paramref name="images"/> (null: images not allowed).</summary>
    public static GatewayError? Read(RawJson content, string role, List<ReadOnlyMemory<byte>>? images, JsonStringPieces text)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                text.String(content);
                return null;
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return null;
            case JsonValueKind.Array:
                break;
            default:
                return Invalid($"A {role} message's content must be a string or an array of content parts.");
        }
        foreach (var part in content.EnumerateArray())
        {
            var type = part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type"u8, out var t) && t.ValueKind == JsonValueKind.String
                ? t.GetString()
                : null;
            switch (type)
            {
                case "text" when part.TryGetProperty("text"u8, out var value) && value.ValueKind == JsonValueKind.String:
                    text.String(value);
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
        return null;
    }

    private static GatewayError? Image(RawJson part, List<ReadOnlyMemory<byte>> images)
    {
        var image = part.TryGetProperty("image_url"u8, out var i) ? i : default;
        var value = image.ValueKind switch
        {
            JsonValueKind.String => image,
            JsonValueKind.Object when image.TryGetProperty("url"u8, out var u) && u.ValueKind == JsonValueKind.String => u,
            _ => default,
        };
        if (value.ValueKind != JsonValueKind.String || value.IsEmptyString)
            return Invalid("An image_url part needs a 'url'.");
        var url = value.GetUtf8();
        // The gateway does not fetch URLs on a client's behalf.
        if (Utf8Text.StartsWithIgnoreCase(url.Span, "http://"u8) || Utf8Text.StartsWithIgnoreCase(url.Span, "https://"u8))
            return Invalid("Ollama takes images inline: send a data: URL (data:image/png;base64,...) rather than an http(s) URL.");
        if (Utf8Text.StartsWithIgnoreCase(url.Span, "data:"u8))
        {
            var marker = Utf8Text.IndexOfIgnoreCase(url.Span, ";base64,"u8);
            if (marker < 0)
                return Invalid("An image data: URL must be base64 (data:<mime type>;base64,<data>).");
            url = url[(marker + 8)..];
        }
        images.Add(url);
        return null;
    }

    public static GatewayError Invalid(string message) => GatewayError.BadRequest(message, "messages");

    public static string? Role(RawJson message) =>
        message.TryGetProperty("role"u8, out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
}
