namespace EdgeGw.Providers.Bedrock.Aws;

/// <summary>
/// Where a deployment's AWS credentials come from. Static keys complete synchronously without allocating;
/// temporary ones (STS) are cached and refreshed by <see cref="RefreshingCredentialSource"/>.
/// Failure is an <see cref="AwsCredentialException"/> whose message names what is missing, never a secret.
/// </summary>
internal abstract class AwsCredentialSource
{
    public abstract ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken);

    public static AwsCredentialSource Static(AwsCredentials credentials) => new StaticSource(credentials);

    private sealed class StaticSource(AwsCredentials credentials) : AwsCredentialSource
    {
        public override ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken) => new(credentials);
    }
}
