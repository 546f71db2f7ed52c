namespace EdgeGw.Providers.Vertex.Auth;

/// <summary>
/// gcloud's <c>authorized_user</c> credential (<c>gcloud auth application-default login</c>): its
/// refresh token traded for an access token with the OAuth client's id and secret.
/// </summary>
internal sealed class AuthorizedUserGrant(string clientId, string clientSecret, string refreshToken, Uri tokenUri, string description) : IGoogleGrant
{
    public Uri TokenUri => tokenUri;
    public string Description => description;
    public IReadOnlyList<string> Secrets => [clientSecret, refreshToken];

    public string FormBody(DateTimeOffset now) =>
        $"grant_type=refresh_token&client_id={Uri.EscapeDataString(clientId)}&client_secret={Uri.EscapeDataString(clientSecret)}&refresh_token={Uri.EscapeDataString(refreshToken)}";
}
