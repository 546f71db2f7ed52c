using System.Text.Json;
using EdgeGw.Json;

namespace EdgeGw.Providers.Anthropic;

/// <summary>
/// One OpenAI message's <c>content</c> (a string or content parts) → Anthropic content blocks:
/// text, images (<c>data:</c> URLs as base64 sources, <c>https</c> URLs as url sources) and PDF
/// files. Empty text is skipped: Anthropic rejects empty text blocks.
/// </summary>
internal static class AnthropicContentWriter
{
    public static void WriteContent(Utf8JsonWriter json, RawJson message, int index, bool textOnly)
    {
        if (!message.TryGetProperty("content"u8, out var content))
            return;
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                WriteText(json, content, default);
                return;
            case JsonValueKind.Null:
                return;
            case JsonValueKind.Array:
                var j = 0;
                foreach (var part in content.EnumerateArray())
                {
                    WritePart(json, part, $"messages[{index}].content[{j}]", textOnly);
                    j++;
                }
                return;
            default:
                throw new AnthropicRequestException($"messages[{index}].content must be a string or an array of content parts.", $"messages[{index}].content");
        }
    }

    private static void WritePart(Utf8JsonWriter json, RawJson part, string path, bool textOnly)
    {
        var type = part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type"u8, out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString()
            : throw new AnthropicRequestException($"{path} must be an object with a 'type'.", $"{path}.type");
        part.TryGetProperty("cache_control"u8, out var cacheControl);
        switch (type)
        {
            case "text" or "refusal":
                var field = type == "text" ? "text" : "refusal";
                if (!part.TryGetProperty(type == "text" ? "text"u8 : "refusal"u8, out var text) || text.ValueKind != JsonValueKind.String)
                    throw new AnthropicRequestException($"{path} of type '{type}' needs a string '{field}'.", $"{path}.{field}");
                WriteText(json, text, cacheControl);
                return;
            case "image_url" when !textOnly:
                WriteImage(json, part, path, cacheControl);
                return;
            case "file" when !textOnly:
                WriteFile(json, part, path);
                return;
            default:
                throw new AnthropicRequestException(
                    textOnly ? $"{path}: system messages may only contain text parts." : $"{path} has unsupported type '{type}' for anthropic.",
                    $"{path}.type");
        }
    }

    private static void WriteText(Utf8JsonWriter json, RawJson text, RawJson cacheControl)
    {
        if (text.IsEmptyString)
            return;
        json.WriteStartObject();
        json.WriteString("type"u8, "text"u8);
        json.WritePropertyName("text"u8);
        text.WriteTo(json);
        WriteCacheControl(json, cacheControl);
        json.WriteEndObject();
    }

    private static void WriteImage(Utf8JsonWriter json, RawJson part, string path, RawJson cacheControl)
    {
        part.TryGetProperty("image_url"u8, out var image);
        var url = image.ValueKind switch
        {
            JsonValueKind.String => image,
            JsonValueKind.Object when image.TryGetProperty("url"u8, out var u) && u.ValueKind == JsonValueKind.String => u,
            _ => default,
        };
        if (url.ValueKind != JsonValueKind.String || url.IsEmptyString)
            throw new AnthropicRequestException($"{path} is an image_url part without 'image_url.url'.", $"{path}.image_url.url");
        json.WriteStartObject();
        json.WriteString("type"u8, "image"u8);
        WriteSource(json, url.GetUtf8().Span, $"{path}.image_url.url");
        WriteCacheControl(json, cacheControl);
        json.WriteEndObject();
    }

    private static void WriteFile(Utf8JsonWriter json, RawJson part, string path)
    {
        if (!part.TryGetProperty("file"u8, out var file) || file.ValueKind != JsonValueKind.Object
            || !file.TryGetProperty("file_data"u8, out var data) || data.ValueKind != JsonValueKind.String)
            throw new AnthropicRequestException($"{path} is a file part without 'file.file_data' (a data: URL); file ids are not supported for anthropic.", $"{path}.file.file_data");
        json.WriteStartObject();
        json.WriteString("type"u8, "document"u8);
        WriteSource(json, data.GetUtf8().Span, $"{path}.file.file_data");
        json.WriteEndObject();
    }

    /// <summary><c>data:&lt;mime&gt;;base64,&lt;payload&gt;</c> → base64 source; <c>http(s)://</c> → url source.</summary>
    /// <remarks>Works on the URL's UTF-8 bytes: a multi-megabyte image is never decoded into a string.</remarks>
    private static void WriteSource(Utf8JsonWriter json, ReadOnlySpan<byte> url, string path)
    {
        json.WriteStartObject("source"u8);
        if (Utf8Text.StartsWithIgnoreCase(url, "data:"u8))
        {
            var marker = Utf8Text.IndexOfIgnoreCase(url, ";base64,"u8);
            if (marker <= 5)
                throw new AnthropicRequestException($"{path} must be a base64 data URL (data:<media type>;base64,<data>).", path);
            json.WriteString("type"u8, "base64"u8);
            json.WriteString("media_type"u8, url.Slice(5, marker - 5));
            json.WriteString("data"u8, url[(marker + 8)..]);
        }
        else if (Utf8Text.StartsWithIgnoreCase(url, "https://"u8) || Utf8Text.StartsWithIgnoreCase(url, "http://"u8))
        {
            json.WriteString("type"u8, "url"u8);
            json.WriteString("url"u8, url);
        }
        else
        {
            throw new AnthropicRequestException($"{path} must be an https:// URL or a base64 data: URL.", path);
        }
        json.WriteEndObject();
    }

    private static void WriteCacheControl(Utf8JsonWriter json, RawJson cacheControl)
    {
        if (cacheControl.ValueKind != JsonValueKind.Object)
            return;
        json.WritePropertyName("cache_control"u8);
        cacheControl.WriteTo(json);
    }
}
