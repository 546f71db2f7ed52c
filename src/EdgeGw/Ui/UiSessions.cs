using System.Buffers.Text;
using System.Security.Cryptography;
using EdgeGw.Api;
using EdgeGw.Auth;
using EdgeGw.Crypto;
using EdgeGw.Spend;

namespace EdgeGw.Ui;

/// <summary>
/// Issues and checks UI sessions for one config. The cookie holds a signed token (<see cref="SessionToken"/>);
/// the CSRF token is an HMAC of the session id under a second key, so neither needs server state.
/// Requests carrying no API key reach <see cref="Authenticate"/>: a valid cookie stands in for the
/// master key, and any method but GET/HEAD must also echo the CSRF token in <c>X-CSRF-Token</c>.
/// </summary>
internal sealed class UiSessions(byte[] signingKey, byte[] csrfKey, BudgetDuration lifetime, SessionRevocations revoked, TimeProvider time)
{
    public const string CookieName = "edgegw_ui";
    public const string CsrfHeader = "X-CSRF-Token";
    private const int CsrfBytes = 32;

    public static readonly GatewayError InvalidSession = new(401,
        "Authentication Error: the UI session is invalid or has expired; log in again at /ui.", "auth_error", "401");

    public static readonly GatewayError MissingCsrf = new(403,
        $"Authentication Error: a request authenticated by the UI session cookie must send the {CsrfHeader} header that /ui/login and /ui/session return.",
        "auth_error", "403");

    public BudgetDuration Lifetime => lifetime;

    public (string Token, UiSession Session) Issue(string userId, UiRole role)
    {
        Span<byte> id = stackalloc byte[16];
        RandomNumberGenerator.Fill(id);
        // Whole seconds, as the token carries them: expires_at then says exactly when the cookie stops working.
        var expires = DateTimeOffset.FromUnixTimeSeconds(lifetime.After(time.GetUtcNow()).ToUnixTimeSeconds());
        var session = new UiSession(new Guid(id), expires, role, userId);
        return (SessionToken.Encode(session, signingKey), session);
    }

    /// <summary>The session in the request's cookie when it is signed by this config's key, unexpired and not logged out.</summary>
    public bool TryRead(HttpRequest request, out UiSession session)
    {
        session = default;
        var cookie = request.Cookies[CookieName];
        return cookie is not null
            && SessionToken.TryDecode(cookie, signingKey, out session)
            && session.Expires > time.GetUtcNow()
            && !revoked.IsRevoked(session.Id);
    }

    public void Revoke(in UiSession session) => revoked.Revoke(session.Id, session.Expires);

    public string CsrfToken(in UiSession session)
    {
        Span<byte> mac = stackalloc byte[CsrfBytes];
        CsrfMac(session, mac);
        return Base64Url.EncodeToString(mac);
    }

    public bool CsrfMatches(in UiSession session, ReadOnlySpan<char> presented)
    {
        Span<byte> given = stackalloc byte[CsrfBytes];
        if (presented.Length != Base64Url.GetEncodedLength(CsrfBytes)
            || Base64Url.DecodeFromChars(presented, given, out _, out var written) != OperationStatus.Done || written != CsrfBytes)
            return false;
        Span<byte> expected = stackalloc byte[CsrfBytes];
        CsrfMac(session, expected);
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }

    private void CsrfMac(in UiSession session, Span<byte> mac)
    {
        Span<byte> id = stackalloc byte[16];
        session.Id.TryWriteBytes(id);
        Sodium.HmacSha256(csrfKey, id, mac);
    }

    /// <summary>For a request without an API key: the cookie's session as the caller (an admin session is the master key).</summary>
    public GatewayError? Authenticate(HttpContext context, Caller master, out Caller caller)
    {
        caller = Caller.Anonymous;
        var request = context.Request;
        if (!request.Cookies.ContainsKey(CookieName))
            return GatewayError.MissingKey;
        if (!TryRead(request, out var session) || session.Role != UiRole.ProxyAdmin)
            return InvalidSession;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method)
            && !(request.Headers[CsrfHeader] is { Count: 1 } csrf && CsrfMatches(session, csrf[0])))
            return MissingCsrf;
        caller = master;
        return null;
    }
}
