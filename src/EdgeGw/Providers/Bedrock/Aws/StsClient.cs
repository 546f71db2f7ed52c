using System.Net;
using System.Text;
using System.Xml;
using EdgeGw.Upstream;

namespace EdgeGw.Providers.Bedrock.Aws;

/// <summary>
/// The two STS Query API calls LiteLLM makes for Bedrock: <c>AssumeRole</c> (signed with base credentials)
/// and <c>AssumeRoleWithWebIdentity</c> (unsigned; the OIDC token is the proof), as form POSTs answered in XML.
/// </summary>
internal sealed class StsClient(UpstreamClients clients, Uri endpoint, string region, TimeProvider time)
{
    private const string Version = "2011-06-15";

    // LiteLLM's session policy for web identity sessions: the permission ceiling is Bedrock invocation only.
    private const string BedrockSessionPolicy =
        """{"Version":"2012-10-17","Statement":[{"Sid":"BedrockLiteLLM","Effect":"Allow","Action":["bedrock:InvokeModel","bedrock:InvokeModelWithResponseStream","bedrock:CountTokens","bedrock:ApplyGuardrail","bedrock:GetGuardrail","bedrock:ListGuardrails"],"Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}""";

    private readonly SigV4Signer _signer = new(region, "sts", time);

    public Uri Endpoint => endpoint;

    public Task<AwsCredentials> AssumeRoleAsync(AwsCredentials baseCredentials, string roleArn, string sessionName, string? externalId, CancellationToken cancellationToken)
    {
        var form = new StringBuilder("Action=AssumeRole&Version=" + Version);
        Add(form, "RoleArn", roleArn);
        Add(form, "RoleSessionName", sessionName);
        if (externalId is not null)
            Add(form, "ExternalId", externalId);
        return CallAsync("AssumeRole", form.ToString(), baseCredentials, cancellationToken);
    }

    /// <summary><paramref name="scopeToBedrock"/>: add LiteLLM's session policy and one-hour duration (explicit <c>aws_web_identity_token</c>).</summary>
    public Task<AwsCredentials> AssumeRoleWithWebIdentityAsync(string roleArn, string sessionName, string webIdentityToken, bool scopeToBedrock, CancellationToken cancellationToken)
    {
        var form = new StringBuilder("Action=AssumeRoleWithWebIdentity&Version=" + Version);
        Add(form, "RoleArn", roleArn);
        Add(form, "RoleSessionName", sessionName);
        Add(form, "WebIdentityToken", webIdentityToken);
        if (scopeToBedrock)
        {
            Add(form, "DurationSeconds", "3600");
            Add(form, "Policy", BedrockSessionPolicy);
        }
        return CallAsync("AssumeRoleWithWebIdentity", form.ToString(), null, cancellationToken);
    }

    private static void Add(StringBuilder form, string name, string value) =>
        form.Append('&').Append(name).Append('=').Append(Uri.EscapeDataString(value));

    private async Task<AwsCredentials> CallAsync(string action, string form, AwsCredentials? signWith, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(form);
        using var message = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        message.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
        UpstreamClients.SetVersion(message);
        if (signWith is not null)
            _signer.Sign(message, body, signWith);
        HttpResponseMessage response;
        try
        {
            response = await clients.For(endpoint).SendAsync(message, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new AwsCredentialException(500, $"STS {action} at {endpoint.GetLeftPart(UriPartial.Authority)} is unreachable: {e.Message}", e);
        }
        using (response)
        {
            // Read whole before the XML reader sees it: its reads are synchronous, and a synchronous socket read on the
            // thread that completes socket reads (inline socket I/O, Api/InlineIo.cs) waits for itself.
            using var stream = new MemoryStream(await response.Content.ReadAsByteArrayAsync(cancellationToken), writable: false);
            if (!response.IsSuccessStatusCode)
            {
                var reason = StsResponse.ReadError(stream) ?? $"HTTP {(int)response.StatusCode}";
                // STS refuses with 4xx (AccessDenied, InvalidIdentityToken, ExpiredToken): the caller's credentials are wrong.
                var status = (int)response.StatusCode is >= 400 and < 500 ? (int)HttpStatusCode.Unauthorized : (int)HttpStatusCode.InternalServerError;
                throw new AwsCredentialException(status, $"STS {action} refused: {reason}");
            }
            try
            {
                return StsResponse.ReadCredentials(stream);
            }
            catch (XmlException e)
            {
                throw new AwsCredentialException(500, $"STS {action} answered unreadable XML: {e.Message}", e);
            }
        }
    }
}
