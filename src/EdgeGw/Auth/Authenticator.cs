using System.Globalization;
using System.Security.Cryptography;
using EdgeGw.Api;

namespace EdgeGw.Auth;

/// <summary>
/// Checks the caller's key: the master key by comparing SHA-256 hashes in constant time (neither
/// its content nor its length leaks through timing), else a virtual key by its hash in the
/// in-memory cache, refused when blocked or expired.
/// </summary>
/// <remarks>
/// With no key header at all, the admin UI's session cookie is the key (<see cref="Ui.UiSessions"/>): the cookie is
/// parsed only then, so API calls that send a key pay nothing for it.
/// </remarks>
internal sealed class Authenticator(string masterKey, Accounts? accounts = null, TimeProvider? time = null, string? keyHeader = null,
    Ui.UiSessions? sessions = null)
{
    private readonly byte[] _masterKeyHash = KeyHash.Compute(masterKey);
    private readonly Caller _master = new(CallerKind.Master, masterToken: Convert.ToHexStringLower(KeyHash.Compute(masterKey)));
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Whether <paramref name="key"/> is the master key, compared like a login.</summary>
    public bool IsMasterKey(string key) => CryptographicOperations.FixedTimeEquals(KeyHash.Compute(key), _masterKeyHash);

    public GatewayError? Authenticate(HttpContext context, out Caller caller)
    {
        caller = Caller.Anonymous;
        var key = ApiKeyReader.Read(context.Request.Headers, keyHeader);
        if (key.IsEmpty)
            return sessions is null ? GatewayError.MissingKey : FromSession(context, sessions, out caller);
        Span<byte> hash = stackalloc byte[KeyHash.Size];
        KeyHash.Compute(key, hash);
        if (CryptographicOperations.FixedTimeEquals(hash, _masterKeyHash))
        {
            caller = _master;
            context.Features.Set(caller);
            return null;
        }
        if (accounts is null || !accounts.Keys.TryGetValue(TokenHash.FromBytes(hash), out var account))
            return KeyErrors.Invalid(key);
        var settings = account.Settings;
        if (settings.Blocked)
            return KeyErrors.Blocked;
        var now = _time.GetUtcNow();
        if (settings.Expires is { } expires && expires <= now)
            return KeyErrors.Expired(expires, now);
        if (accounts.TeamOf(settings) is { Settings.Blocked: true })
            return KeyErrors.TeamBlocked;
        caller = account.Caller;
        context.Features.Set(caller);
        return null;
    }

    private GatewayError? FromSession(HttpContext context, Ui.UiSessions sessions, out Caller caller)
    {
        var error = sessions.Authenticate(context, _master, out caller);
        if (error is null)
            context.Features.Set(caller);
        return error;
    }
}

/// <summary>LiteLLM's authentication messages; a key is never echoed beyond its last 4 characters.</summary>
internal static class KeyErrors
{
    public static GatewayError Invalid(ReadOnlySpan<char> key) => new(401,
        $"Authentication Error, Invalid proxy server token passed. Received API Key = {VirtualKeyGenerator.Abbreviate(key)}, Unable to find token in cache or `LiteLLM_VerificationTokenTable`",
        "auth_error", "401");

    public static readonly GatewayError Blocked = new(401,
        "Authentication Error, Key is blocked. Update via `/key/unblock` if you're an admin.", "auth_error", "401");

    public static GatewayError Expired(DateTimeOffset expires, DateTimeOffset now) => new(401,
        $"Authentication Error - Expired Key. Key Expiry time {Iso(expires)} and current time {Iso(now)}", "auth_error", "401");

    public static readonly GatewayError AdminOnly = new(403,
        "Authentication Error, only the proxy admin (master key) can call this route.", "auth_error", "403");

    public static readonly GatewayError TeamBlocked = new(401,
        "Authentication Error, Team is blocked. Update via `/team/unblock` if you're an admin.", "auth_error", "401");

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture);
}
