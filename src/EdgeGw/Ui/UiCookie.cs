using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace EdgeGw.Ui;

/// <summary>
/// The session cookie: <c>HttpOnly</c> (no script reads it), <c>SameSite=Strict</c> (no other site's
/// page sends it), <c>Secure</c> when the request came over TLS, <c>Path=/</c> so the API accepts it too.
/// </summary>
internal static class UiCookie
{
    public static void Set(HttpContext context, string token, DateTimeOffset expires, DateTimeOffset now)
    {
        var seconds = Math.Max(0, (long)Math.Ceiling((expires - now).TotalSeconds));
        Append(context, $"{UiSessions.CookieName}={token}; Path=/; Max-Age={seconds.ToString(CultureInfo.InvariantCulture)}; HttpOnly; SameSite=Strict");
    }

    public static void Clear(HttpContext context) =>
        Append(context, $"{UiSessions.CookieName}=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict");

    private static void Append(HttpContext context, string cookie) =>
        context.Response.Headers.Append(HeaderNames.SetCookie, context.Request.IsHttps ? cookie + "; Secure" : cookie);
}
