using System.Net.Http.Headers;
using System.Text;
using EdgeGw.Api;
using EdgeGw.Upstream;

namespace EdgeGw.Providers.Vertex.Auth;

/// <summary>
/// One token request to a grant's token URI, failures as values. Rejected credentials are a 401 (as
/// LiteLLM's authentication errors are); an endpoint that is down, slow or garbled is a 500.
/// </summary>
internal static class GoogleTokenEndpoint
{
    /// <summary>Bounds each token request; the requests waiting on it wait at most this long.</summary>
    public static readonly TimeSpan RequestLimit = TimeSpan.FromSeconds(30);

    private static readonly MediaTypeHeaderValue FormContentType = new("application/x-www-form-urlencoded");

    public static async Task<(AccessToken? Token, GatewayError? Error)> RequestAsync(
        UpstreamClients clients, IGoogleGrant grant, DateTimeOffset now)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, grant.TokenUri)
        {
            Content = new ByteArrayContent(Encoding.ASCII.GetBytes(grant.FormBody(now))),
        };
        message.Content.Headers.ContentType = FormContentType;
        UpstreamClients.SetVersion(message);
        using var timeout = new CancellationTokenSource(RequestLimit);
        try
        {
            using var response = await clients.For(grant.TokenUri).SendAsync(message, timeout.Token);
            var body = await UpstreamErrors.ReadBodyAsync(response, timeout.Token);
            var answer = GoogleTokenResponse.Parse(body);
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300 && answer is { AccessToken: { Length: > 0 } token } ok
                && (ok.TokenType is null || ok.TokenType.Equals("Bearer", StringComparison.OrdinalIgnoreCase)))
            {
                var lifetime = TimeSpan.FromSeconds(Math.Clamp(ok.ExpiresIn ?? 3600, 1, 24 * 3600));
                return (AccessToken.Create(token, now, lifetime), null);
            }
            if (status is 400 or 401 or 403 && answer?.Error is not null)
                return (null, Rejected(grant, answer.Value));
            return (null, Failed(grant, status is >= 200 and < 300
                ? "answered without a Bearer access_token"
                : $"answered HTTP {status}{Detail(grant, answer)}"));
        }
        catch (OperationCanceledException)
        {
            return (null, Failed(grant, $"did not answer within {RequestLimit.TotalSeconds:0}s"));
        }
        catch (HttpRequestException e)
        {
            return (null, Failed(grant, $"is unreachable ({e.HttpRequestError})"));
        }
    }

    // No deployment name: the token is shared by every deployment on the credential, and the router names the deployment.
    private static GatewayError Rejected(IGoogleGrant grant, GoogleTokenResponse answer) =>
        new(401, $"Vertex AI: the token endpoint {Endpoint(grant)} rejected the {grant.Description}{Detail(grant, answer)}",
            "authentication_error", "401");

    private static GatewayError Failed(IGoogleGrant grant, string what) =>
        GatewayError.Internal($"Vertex AI: no access token for the {grant.Description}: the token endpoint {Endpoint(grant)} {what}");

    /// <summary>The endpoint without any query, which a token URI has no business carrying.</summary>
    private static string Endpoint(IGoogleGrant grant) => grant.TokenUri.GetLeftPart(UriPartial.Path);

    /// <summary>": error: description", with the credential's secrets cut out and the text kept short.</summary>
    private static string Detail(IGoogleGrant grant, GoogleTokenResponse? answer)
    {
        if (answer is not { Error: { } error })
            return "";
        var text = answer.Value.ErrorDescription is { Length: > 0 } description ? $"{error}: {description}" : error;
        foreach (var secret in grant.Secrets)
            text = SecretRedaction.Redact(text, secret);
        return $" ({UpstreamErrors.Truncate(SecretRedaction.Redact(text, null), 300)})";
    }
}
