using EdgeGw.Providers.Bedrock.Aws;
using EdgeGw.Tests.Infrastructure;
using EdgeGw.Upstream;

namespace EdgeGw.Tests.Bedrock;

/// <summary>Which credentials a Bedrock deployment signs with, in LiteLLM's get_credentials order.</summary>
public sealed class AwsCredentialPrecedenceTests : IDisposable
{
    private readonly UpstreamClients _clients = new();
    private readonly string _credentialsFile = Path.Combine(Path.GetTempPath(), $"edgegw-aws-{Guid.NewGuid():N}");

    public void Dispose()
    {
        _clients.Dispose();
        File.Delete(_credentialsFile);
    }

    private async Task<AwsCredentials> ResolveAsync(string litellmParams, Dictionary<string, string>? env = null)
    {
        var config = BedrockDeployments.Config(litellmParams, env);
        var source = AwsCredentialResolver.Resolve(BedrockDeployments.Context(config, _clients, new FakeTime()), "us-east-1");
        return await source.GetAsync(CancellationToken.None);
    }

    private static readonly Dictionary<string, string> EnvKeys = new() { ["AWS_ACCESS_KEY_ID"] = "AKIAENV", ["AWS_SECRET_ACCESS_KEY"] = "env-secret" };

    [Fact]
    public async Task ParamKeys_WinOverEnvironmentKeys()
    {
        var credentials = await ResolveAsync("aws_access_key_id: AKIAPARAM\naws_secret_access_key: param-secret", EnvKeys);

        Assert.Equal(new AwsCredentials("AKIAPARAM", "param-secret"), credentials);
    }

    [Fact]
    public async Task EnvironmentKeys_UsedWithoutParams()
    {
        var credentials = await ResolveAsync("", new(EnvKeys) { ["AWS_SESSION_TOKEN"] = "env-token" });

        Assert.Equal(new AwsCredentials("AKIAENV", "env-secret", "env-token"), credentials);
    }

    [Fact]
    public async Task SessionTokenParam_IsKeptWithTheKeys()
    {
        var credentials = await ResolveAsync("aws_access_key_id: ASIAPARAM\naws_secret_access_key: param-secret\naws_session_token: param-token");

        Assert.Equal("param-token", credentials.SessionToken);
    }

    [Fact]
    public async Task EnvironmentVariableReference_ResolvesInParams()
    {
        var credentials = await ResolveAsync("aws_access_key_id: os.environ/MY_KEY\naws_secret_access_key: os.environ/MY_SECRET",
            new() { ["MY_KEY"] = "AKIAREF", ["MY_SECRET"] = "ref-secret" });

        Assert.Equal(new AwsCredentials("AKIAREF", "ref-secret"), credentials);
    }

    [Fact]
    public async Task ProfileName_ReadsThatProfileAndWinsOverKeys()
    {
        await File.WriteAllTextAsync(_credentialsFile, """
            [default]
            aws_access_key_id = AKIADEFAULT
            aws_secret_access_key = default-secret

            # the team's profile
            [bedrock-team]
            aws_access_key_id = AKIATEAM
            aws_secret_access_key = team-secret
            aws_session_token = team-token
            """);

        var credentials = await ResolveAsync("aws_profile_name: bedrock-team", new(EnvKeys) { ["AWS_SHARED_CREDENTIALS_FILE"] = _credentialsFile });

        Assert.Equal(new AwsCredentials("AKIATEAM", "team-secret", "team-token"), credentials);
    }

    [Fact]
    public async Task NothingConfigured_FallsBackToDefaultProfileOfSharedFile()
    {
        await File.WriteAllTextAsync(_credentialsFile, "[default]\naws_access_key_id=AKIADEFAULT\naws_secret_access_key=default-secret\n");

        var credentials = await ResolveAsync("", new() { ["AWS_SHARED_CREDENTIALS_FILE"] = _credentialsFile });

        Assert.Equal(new AwsCredentials("AKIADEFAULT", "default-secret"), credentials);
    }

    [Fact]
    public async Task AwsProfileVariable_PicksTheAmbientProfile()
    {
        await File.WriteAllTextAsync(_credentialsFile, "[default]\naws_access_key_id=AKIADEFAULT\naws_secret_access_key=d\n[ops]\naws_access_key_id=AKIAOPS\naws_secret_access_key=o\n");

        var credentials = await ResolveAsync("", new() { ["AWS_SHARED_CREDENTIALS_FILE"] = _credentialsFile, ["AWS_PROFILE"] = "ops" });

        Assert.Equal("AKIAOPS", credentials.AccessKeyId);
    }

    [Fact]
    public async Task MissingProfile_401NamesProfileAndFile()
    {
        await File.WriteAllTextAsync(_credentialsFile, "[default]\naws_access_key_id=AKIADEFAULT\naws_secret_access_key=default-secret\n");

        var e = await Assert.ThrowsAsync<AwsCredentialException>(() => ResolveAsync("aws_profile_name: nope", new() { ["AWS_SHARED_CREDENTIALS_FILE"] = _credentialsFile }));

        Assert.Equal(401, e.Status);
        Assert.Contains("aws_profile_name 'nope'", e.Message, StringComparison.Ordinal);
        Assert.Contains(_credentialsFile, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoCredentialsAnywhere_401NamesWhatToSet()
    {
        var e = await Assert.ThrowsAsync<AwsCredentialException>(() => ResolveAsync(""));

        Assert.Equal(401, e.Status);
        Assert.Contains("no AWS credentials", e.Message, StringComparison.Ordinal);
        Assert.Contains("aws_access_key_id and aws_secret_access_key", e.Message, StringComparison.Ordinal);
        Assert.Contains("AWS_BEARER_TOKEN_BEDROCK", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyIdWithoutSecret_ErrorNamesTheMissingSecretButNotTheKey()
    {
        var e = await Assert.ThrowsAsync<AwsCredentialException>(() => ResolveAsync("aws_access_key_id: AKIALONELY"));

        Assert.StartsWith("aws_access_key_id is set without aws_secret_access_key", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AKIALONELY", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecretWithoutKeyId_ErrorDoesNotShowTheSecret()
    {
        var e = await Assert.ThrowsAsync<AwsCredentialException>(() => ResolveAsync("aws_secret_access_key: very-secret-value"));

        Assert.StartsWith("aws_secret_access_key is set without aws_access_key_id", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("very-secret-value", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RoleWithoutAnyBaseCredentials_401NamesWhatAssumeRoleNeeds()
    {
        var e = await Assert.ThrowsAsync<AwsCredentialException>(() =>
            ResolveAsync("aws_role_name: arn:aws:iam::123456789012:role/bedrock\naws_sts_endpoint: http://127.0.0.1:9/"));

        Assert.Equal(401, e.Status);
        Assert.StartsWith("aws_role_name is set but there are no credentials to call sts:AssumeRole with", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StsEndpointNotAUrl_500NamingTheParam()
    {
        var e = await Assert.ThrowsAsync<AwsCredentialException>(() =>
            ResolveAsync("aws_access_key_id: AKIAPARAM\naws_secret_access_key: param-secret\naws_role_name: arn:aws:iam::123456789012:role/bedrock\naws_sts_endpoint: sts.example"));

        Assert.Equal(500, e.Status);
        Assert.Equal("aws_sts_endpoint 'sts.example' is not an absolute URL", e.Message);
    }
}
