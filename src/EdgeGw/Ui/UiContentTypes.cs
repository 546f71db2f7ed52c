namespace EdgeGw.Ui;

/// <summary>Content types by file extension for the UI's files; compressible ones are text.</summary>
internal static class UiContentTypes
{
    public static (string Type, bool Compressible) For(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".html" => ("text/html; charset=utf-8", true),
        ".js" or ".mjs" => ("text/javascript; charset=utf-8", true),
        ".css" => ("text/css; charset=utf-8", true),
        ".json" => ("application/json; charset=utf-8", true),
        ".svg" => ("image/svg+xml", true),
        ".txt" => ("text/plain; charset=utf-8", true),
        ".ico" => ("image/x-icon", true),
        ".png" => ("image/png", false),
        ".webp" => ("image/webp", false),
        ".woff2" => ("font/woff2", false),
        _ => ("application/octet-stream", false),
    };
}
