using EdgeGw.Api;
using Microsoft.Net.Http.Headers;

namespace EdgeGw.Ui;

/// <summary>
/// GET (and HEAD) of the admin UI's files: <c>/ui</c> is index.html, revalidated on every load; the
/// files it names live under <c>/ui/v/&lt;hash&gt;/</c> and are cached for a year. A file asked for
/// under an older hash (a page loaded just before an upgrade) is redirected to the current one.
/// </summary>
internal static class UiAssetEndpoint
{
    private const string VersionedPrefix = "/ui/v/";

    public static Task HandleAsync(HttpContext context, GatewayState state)
    {
        var response = context.Response;
        UiHeaders.Apply(response);
        if (state.Ui.Disabled)
            return UiDisabledPage.WriteAsync(response);
        var assets = UiAssets.Embedded;
        var path = context.Request.Path.Value ?? "/ui";
        if (path.Length > 1 && path[^1] == '/')
            path = path.TrimEnd('/');
        if (path is "/ui" or "/ui/index.html" or "/ui/login")
            return WriteAsync(context, assets.Files[UiAssets.IndexName], UiHeaders.Revalidate);
        if (!path.StartsWith(VersionedPrefix, StringComparison.Ordinal))
            return ErrorWriter.WriteOpenAiAsync(context, GatewayError.NotFound(path));
        var rest = path.AsSpan(VersionedPrefix.Length);
        var slash = rest.IndexOf('/');
        if (slash <= 0)
            return ErrorWriter.WriteOpenAiAsync(context, GatewayError.NotFound(path));
        var file = rest[(slash + 1)..];
        if (!assets.TryGet(file, out var asset))
            return ErrorWriter.WriteOpenAiAsync(context, GatewayError.NotFound(path));
        if (!rest[..slash].SequenceEqual(assets.Version))
        {
            response.StatusCode = StatusCodes.Status302Found;
            response.Headers.CacheControl = UiHeaders.NoStore;
            response.Headers.Location = string.Concat(assets.Base, file);
            return Task.CompletedTask;
        }
        return WriteAsync(context, asset, UiHeaders.Immutable);
    }

    private static Task WriteAsync(HttpContext context, UiAsset asset, string cacheControl)
    {
        var response = context.Response;
        var headers = response.Headers;
        var (bytes, etag, encoding) = Choose(asset, AcceptEncoding.Parse(context.Request.Headers.AcceptEncoding));
        headers.CacheControl = cacheControl;
        headers.ETag = etag;
        if (asset.Compressed)
            headers.Vary = HeaderNames.AcceptEncoding;
        if (context.Request.Headers.IfNoneMatch is { Count: > 0 } ifNoneMatch && Matches(ifNoneMatch, etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        response.ContentType = asset.ContentType;
        if (encoding is not null)
            headers.ContentEncoding = encoding;
        response.ContentLength = bytes.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }

    private static (byte[] Bytes, string ETag, string? Encoding) Choose(UiAsset asset, AcceptEncoding accepted) =>
        accepted.Brotli && asset.Brotli is { } br ? (br, asset.BrotliETag, "br")
        : accepted.Gzip && asset.Gzip is { } gz ? (gz, asset.GzipETag, "gzip")
        : (asset.Identity, asset.ETag, null);

    private static bool Matches(Microsoft.Extensions.Primitives.StringValues ifNoneMatch, string etag)
    {
        foreach (var value in ifNoneMatch)
            if (value is not null && (value.Trim() == "*" || value.Contains(etag, StringComparison.Ordinal)))
                return true;
        return false;
    }
}
