namespace EdgeGw.Providers.Vertex.Auth;

/// <summary>
/// An access token with its <c>Authorization</c> value built once, so each request only adds a header.
/// Refreshed in the background from <see cref="RefreshAt"/>; not sent at or after <see cref="UsableUntil"/>.
/// A class, not a record: a generated ToString would print the token.
/// </summary>
internal sealed class AccessToken(string header, DateTimeOffset refreshAt, DateTimeOffset usableUntil)
{
    public string Header { get; } = header;
    public DateTimeOffset RefreshAt { get; } = refreshAt;
    public DateTimeOffset UsableUntil { get; } = usableUntil;

    /// <summary>Refresh this long before expiry, so requests rarely wait (google-auth refreshes 3m45s ahead).</summary>
    public static readonly TimeSpan RefreshAhead = TimeSpan.FromMinutes(5);

    /// <summary>Stop sending a token this long before expiry: it must outlive the request's trip and clock skew.</summary>
    public static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(60);

    /// <summary>A token that lives <paramref name="lifetime"/> from <paramref name="requestedAt"/> (when it was asked for, to err early).</summary>
    public static AccessToken Create(string token, DateTimeOffset requestedAt, TimeSpan lifetime)
    {
        var expiresAt = requestedAt + lifetime;
        // A short-lived token (a proxy's, or a test's) keeps the same shape: refresh at half its life, stop at three quarters.
        var ahead = lifetime / 2 < RefreshAhead ? lifetime / 2 : RefreshAhead;
        var margin = lifetime / 4 < ExpiryMargin ? lifetime / 4 : ExpiryMargin;
        return new AccessToken("Bearer " + token, expiresAt - ahead, expiresAt - margin);
    }
}
