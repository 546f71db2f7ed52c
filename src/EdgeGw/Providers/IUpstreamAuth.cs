using EdgeGw.Api;

namespace EdgeGw.Providers;

/// <summary>
/// Credentials a provider wants on each upstream request beyond a static header: AWS SigV4 (which signs
/// the final URI, headers and body) or an OAuth2 access token fetched and refreshed in the background.
/// </summary>
internal interface IUpstreamAuth
{
    /// <summary>
    /// Adds the credentials to <paramref name="message"/>, whose URI, headers and <paramref name="body"/> are final;
    /// a credential that cannot be had (token endpoint down, bad key file) is returned as the caller's error.
    /// </summary>
    ValueTask<GatewayError?> ApplyAsync(HttpRequestMessage message, ReadOnlyMemory<byte> body, CancellationToken cancellationToken);
}
