using System.Text.Json;
using EdgeGw.Json;

namespace EdgeGw.Providers.Bedrock;

/// <summary>
/// OpenAI content parts → Converse <c>ContentBlock</c>s: text, images (<c>data:</c> URLs as
/// <c>image {format, source {bytes}}</c>), PDFs and other documents (<c>file.file_data</c> as
/// <c>document</c>), and a <c>cachePoint</c> after any part marked <c>cache_control</c>. Empty text is
/// skipped: Converse rejects blank text blocks. Text is copied as the client escaped it.
/// </summary>
internal static class ConverseContentWriter
{
    /// <summary>Writes <paramref name="content"/> (a string or parts) as blocks; true when it wrote any.</summary>
    public static bool Write(Utf8JsonWriter json, RawJson content, string path, bool textOnly)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return WriteText(json, content, default);
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return false;
            case JsonValueKind.Array:
                var any = false;
                var j = 0;
                foreach (var part in content.EnumerateArray())
                    any |= WritePart(json, part, $"{path}[{j++}]", textOnly);
                return any;
            default:
                throw new ConverseRequestException($"{path} must be a string or an array of content parts.", path);
        }
    }

    private static bool WritePart(Utf8JsonWriter json, RawJson part, string path, bool textOnly)
    {
        var type = part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type"u8, out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString()
            : throw new ConverseRequestException($"{path} must be an object with a 'type'.", $"{path}.type");
        part.TryGetProperty("cache_control"u8, out var cacheControl);
        bool wrote;
        switch (type)
        {
            case "text" or "refusal":
                if (!part.TryGetProperty(type == "text" ? "text"u8 : "refusal"u8, out var text) || text.ValueKind != JsonValueKind.String)
                    throw new ConverseRequestException($"{path} of type '{type}' needs a string '{type}'.", $"{path}.{type}");
                wrote = WriteText(json, text, default);
                break;
            case "image_url" when !textOnly:
                WriteImage(json, part, path);
                wrote = true;
                break;
            case "file" when !textOnly:
                WriteDocument(json, part, path);
                wrote = true;
                break;
            default:
                throw new ConverseRequestException(
                    textOnly ? $"{path}: system messages may only contain text parts." : $"{path} has type '{type}', which bedrock does not support.",
                    $"{path}.type");
        }
        if (wrote)
            WriteCachePoint(json, cacheControl);
        return wrote;
    }

    public static bool WriteText(Utf8JsonWriter json, RawJson text, RawJson cacheControl)
    {
        if (text.IsEmptyString)
            return false;
        json.WriteStartObject();
        json.WritePropertyName("text"u8);
        text.WriteTo(json);
        json.WriteEndObject();
        WriteCachePoint(json, cacheControl);
        return true;
    }

    /// <summary>A <c>cachePoint</c> block after the one marked: Bedrock's form of Anthropic's <c>cache_control</c> (LiteLLM's mapping).</summary>
    public static void WriteCachePoint(Utf8JsonWriter json, RawJson cacheControl)
    {
        if (cacheControl.ValueKind != JsonValueKind.Object)
            return;
        json.WriteStartObject();
        json.WriteStartObject("cachePoint"u8);
        json.WriteString("type"u8, "default"u8);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteImage(Utf8JsonWriter json, RawJson part, string path)
    {
        part.TryGetProperty("image_url"u8, out var image);
        var url = image.ValueKind switch
        {
            JsonValueKind.String => image,
            JsonValueKind.Object when image.TryGetProperty("url"u8, out var u) && u.ValueKind == JsonValueKind.String => u,
            _ => default,
        };
        if (url.ValueKind != JsonValueKind.String || url.IsEmptyString)
            throw new ConverseRequestException($"{path} is an image_url part without 'image_url.url'.", $"{path}.image_url.url");
        var bytes = url.GetUtf8().Span;
        if (Utf8Text.StartsWithIgnoreCase(bytes, "http://"u8) || Utf8Text.StartsWithIgnoreCase(bytes, "https://"u8))
            throw new ConverseRequestException(
                $"{path}: bedrock takes images inline only; send the image as a base64 data: URL (data:image/png;base64,...). EdgeGw does not download image URLs.",
                $"{path}.image_url.url");
        var data = DataUrl(bytes, $"{path}.image_url.url", out var mime);
        var format = ImageFormat(mime)
            ?? throw new ConverseRequestException($"{path}: bedrock supports png, jpeg, gif and webp images; got '{System.Text.Encoding.UTF8.GetString(mime)}'.", $"{path}.image_url.url");
        json.WriteStartObject();
        json.WriteStartObject("image"u8);
        json.WriteString("format"u8, format);
        json.WriteStartObject("source"u8);
        json.WriteString("bytes"u8, data);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteDocument(Utf8JsonWriter json, RawJson part, string path)
    {
        if (!part.TryGetProperty("file"u8, out var file) || file.ValueKind != JsonValueKind.Object
            || !file.TryGetProperty("file_data"u8, out var fileData) || fileData.ValueKind != JsonValueKind.String)
            throw new ConverseRequestException($"{path} is a file part without 'file.file_data' (a data: URL); file ids are not supported for bedrock.", $"{path}.file.file_data");
        var data = DataUrl(fileData.GetUtf8().Span, $"{path}.file.file_data", out var mime);
        var format = DocumentFormat(mime)
            ?? throw new ConverseRequestException($"{path}: bedrock documents are pdf, csv, doc, docx, xls, xlsx, html, txt or md; got '{System.Text.Encoding.UTF8.GetString(mime)}'.", $"{path}.file.file_data");
        json.WriteStartObject();
        json.WriteStartObject("document"u8);
        json.WriteString("format"u8, format);
        // Bedrock names documents with letters, digits, spaces, hyphens, parentheses and brackets only.
        json.WriteString("name"u8, "Document " + path.Replace('.', ' ').Replace('_', '-'));
        json.WriteStartObject("source"u8);
        json.WriteString("bytes"u8, data);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary><c>data:&lt;mime&gt;;base64,&lt;payload&gt;</c> → the payload (and the mime type), on the URL's UTF-8 bytes.</summary>
    private static ReadOnlySpan<byte> DataUrl(ReadOnlySpan<byte> url, string path, out ReadOnlySpan<byte> mime)
    {
        var marker = Utf8Text.IndexOfIgnoreCase(url, ";base64,"u8);
        if (!Utf8Text.StartsWithIgnoreCase(url, "data:"u8) || marker <= 5)
            throw new ConverseRequestException($"{path} must be a base64 data URL (data:<media type>;base64,<data>).", path);
        mime = url[5..marker];
        return url[(marker + 8)..];
    }

    private static string? ImageFormat(ReadOnlySpan<byte> mime)
    {
        if (!Utf8Text.StartsWithIgnoreCase(mime, "image/"u8))
            return null;
        var subtype = mime[6..];
        return System.Text.Ascii.EqualsIgnoreCase(subtype, "png"u8) ? "png"
            : System.Text.Ascii.EqualsIgnoreCase(subtype, "jpeg"u8) || System.Text.Ascii.EqualsIgnoreCase(subtype, "jpg"u8) ? "jpeg"
            : System.Text.Ascii.EqualsIgnoreCase(subtype, "gif"u8) ? "gif"
            : System.Text.Ascii.EqualsIgnoreCase(subtype, "webp"u8) ? "webp"
            : null;
    }

    private static string? DocumentFormat(ReadOnlySpan<byte> mime)
    {
        foreach (var (type, format) in DocumentTypes)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(mime, type))
                return format;
        }
        return null;
    }

    private static readonly (string MimeType, string Format)[] DocumentTypes =
    [
        ("application/pdf", "pdf"), ("text/csv", "csv"), ("application/msword", "doc"),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
        ("application/vnd.ms-excel", "xls"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        ("text/html", "html"), ("text/plain", "txt"), ("text/markdown", "md"),
    ];
}
