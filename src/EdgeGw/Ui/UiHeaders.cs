using Microsoft.Net.Http.Headers;

namespace EdgeGw.Ui;

/// <summary>The headers every /ui answer carries: the page runs only its own files and cannot be framed.</summary>
internal static class UiHeaders
{
    /// <summary>Only the gateway's own files and API; no inline script or style, no plug-ins, no framing.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public const string Immutable = "public, max-age=31536000, immutable";
    public const string Revalidate = "no-cache";
    /// <summary>For session answers: they carry the CSRF token, which no cache may keep.</summary>
    public const string NoStore = "no-store";

    public static void Apply(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers[HeaderNames.XFrameOptions] = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
    }
}
