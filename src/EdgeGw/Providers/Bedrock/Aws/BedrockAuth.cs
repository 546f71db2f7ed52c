using EdgeGw.Api;

namespace EdgeGw.Providers.Bedrock.Aws;

/// <summary>
/// The credentials a Bedrock deployment sends. As LiteLLM (<c>bedrock_bearer_token</c>): a bearer token
/// (<c>api_key</c>, else <c>AWS_BEARER_TOKEN_BEDROCK</c>, which the catalog maps into <see cref="Config.Deployment.ApiKey"/>)
/// wins over SigV4; otherwise requests are signed for service <c>bedrock</c> with the resolved AWS credentials.
/// </summary>
internal static class BedrockAuth
{
    public const string Service = "bedrock";

    public static IUpstreamAuth Create(ProviderContext context, string region)
    {
        if (!string.IsNullOrEmpty(context.Deployment.ApiKey))
            return new BearerAuth(context.Deployment.ApiKey);
        var source = AwsCredentialResolver.Resolve(context, region);
        return new SigV4Auth(new SigV4Signer(region, Service, context.Time), source, context.Deployment.ModelName);
    }

    private sealed class BearerAuth(string token) : IUpstreamAuth
    {
        private readonly string _value = "Bearer " + token;

        public ValueTask<GatewayError?> ApplyAsync(HttpRequestMessage message, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
        {
            message.Headers.Remove("Authorization");
            message.Headers.TryAddWithoutValidation("Authorization", _value);
            return default;
        }
    }

    private sealed class SigV4Auth(SigV4Signer signer, AwsCredentialSource source, string deployment) : IUpstreamAuth
    {
        public ValueTask<GatewayError?> ApplyAsync(HttpRequestMessage message, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
        {
            ValueTask<AwsCredentials> pending;
            try
            {
                pending = source.GetAsync(cancellationToken);
            }
            catch (AwsCredentialException e)
            {
                return new(Error(deployment, e));
            }
            if (pending.IsCompletedSuccessfully)
            {
                signer.Sign(message, body.Span, pending.Result);
                return default;
            }
            return SlowAsync(pending, message, body);
        }

        private async ValueTask<GatewayError?> SlowAsync(ValueTask<AwsCredentials> pending, HttpRequestMessage message, ReadOnlyMemory<byte> body)
        {
            try
            {
                var credentials = await pending;
                signer.Sign(message, body.Span, credentials);
                return null;
            }
            catch (AwsCredentialException e)
            {
                return Error(deployment, e);
            }
        }
    }

    /// <summary>LiteLLM reports AWS auth failures as <c>auth_error</c> with the status as code.</summary>
    public static GatewayError Error(string deployment, AwsCredentialException e) =>
        new(e.Status, $"Bedrock deployment '{deployment}': {e.Message}", e.Status == 401 ? "auth_error" : "internal_server_error", e.Status.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
