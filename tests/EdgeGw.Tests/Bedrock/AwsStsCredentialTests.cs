using EdgeGw.Providers.Bedrock.Aws;
using EdgeGw.Tests.Infrastructure;
using EdgeGw.Upstream;

namespace EdgeGw.Tests.Bedrock;

/// <summary>Role credentials from STS (AssumeRole, AssumeRoleWithWebIdentity, EKS IRSA): the calls, the cache, the refresh.</summary>
public sealed class AwsStsCredentialTests : IAsyncLifetime
{
    private const string Role = "arn:aws:iam::123456789012:role/bedrock";
    private readonly FakeTime _time = new();
    private readonly UpstreamClients _clients = new();
    private readonly string _tokenFile = Path.Combine(Path.GetTempPath(), $"edgegw-irsa-{Guid.NewGuid():N}");
    private FakeSts _sts = null!;

    public async Task InitializeAsync() => _sts = await FakeSts.StartAsync(_time);

    public async Task DisposeAsync()
    {
        await _sts.DisposeAsync();
        _clients.Dispose();
        File.Delete(_tokenFile);
    }

    private AwsCredentialSource Source(string litellmParams, Dictionary<string, string>? env = null)
    {
        var config = BedrockDeployments.Config($"aws_sts_endpoint: {_sts.Url}\n" + litellmParams, env);
        return AwsCredentialResolver.Resolve(BedrockDeployments.Context(config, _clients, _time), "us-east-1");
    }

    private const string BaseKeys = "aws_access_key_id: AKIABASE\naws_secret_access_key: base-secret";

    [Fact]
    public async Task RoleName_AssumesRoleSignedWithTheBaseKeys()
    {
        _sts.SigningKeys = new AwsCredentials("AKIABASE", "base-secret");
        var source = Source($"{BaseKeys}\naws_role_name: {Role}\naws_session_name: team-a\naws_external_id: ext-42");

        var credentials = await source.GetAsync(CancellationToken.None);

        Assert.Equal(new AwsCredentials("ASIATEMP1", "temp-secret-1", "temp-token-1", _time.GetUtcNow() + TimeSpan.FromHours(1)), credentials);
        var form = Assert.Single(_sts.Forms);
        Assert.Equal("AssumeRole", form["Action"]);
        Assert.Equal("2011-06-15", form["Version"]);
        Assert.Equal(Role, form["RoleArn"]);
        Assert.Equal("team-a", form["RoleSessionName"]);
        Assert.Equal("ext-42", form["ExternalId"]);
        Assert.Empty(_sts.SignatureFailures);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIABASE/20260301/us-east-1/sts/aws4_request", _sts.Requests[0].Headers["authorization"], StringComparison.Ordinal);
        Assert.Equal("application/x-www-form-urlencoded; charset=utf-8", _sts.Requests[0].Headers["content-type"]);
    }

    [Fact]
    public async Task RoleWithSessionBaseKeys_SignsWithTheirToken()
    {
        _sts.SigningKeys = new AwsCredentials("ASIABASE", "base-secret", "base-token");
        var source = Source($"aws_access_key_id: ASIABASE\naws_secret_access_key: base-secret\naws_session_token: base-token\naws_role_name: {Role}");

        await source.GetAsync(CancellationToken.None);

        Assert.Empty(_sts.SignatureFailures);
        Assert.Equal("base-token", _sts.Requests[0].Headers["x-amz-security-token"]);
        Assert.StartsWith("litellm-session-", _sts.Forms[0]["RoleSessionName"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task StsRegion_ComesFromAwsRegionBeforeTheDeploymentRegion()
    {
        _sts.SigningKeys = new AwsCredentials("AKIABASE", "base-secret");
        _sts.SigningRegion = "eu-west-1";
        var source = Source($"{BaseKeys}\naws_role_name: {Role}", new() { ["AWS_REGION"] = "eu-west-1" });

        await source.GetAsync(CancellationToken.None);

        Assert.Empty(_sts.SignatureFailures);
    }

    [Fact]
    public async Task WebIdentityToken_AssumesRoleWithWebIdentityUnsigned()
    {
        var source = Source($"aws_role_name: {Role}\naws_session_name: oidc-session\naws_web_identity_token: os.environ/OIDC_TOKEN",
            new(OnlyKeys) { ["OIDC_TOKEN"] = "eyJhbGciOiJSUzI1NiJ9.oidc.token" });

        var credentials = await source.GetAsync(CancellationToken.None);

        Assert.Equal("ASIATEMP1", credentials.AccessKeyId);
        var form = Assert.Single(_sts.Forms);
        Assert.Equal("AssumeRoleWithWebIdentity", form["Action"]);
        Assert.Equal("eyJhbGciOiJSUzI1NiJ9.oidc.token", form["WebIdentityToken"]);
        Assert.Equal("oidc-session", form["RoleSessionName"]);
        Assert.Equal("3600", form["DurationSeconds"]);
        Assert.Contains("bedrock:InvokeModelWithResponseStream", form["Policy"], StringComparison.Ordinal);
        Assert.Empty(_sts.SignatureFailures);
    }

    // Keys in the environment must not be used to sign web identity calls.
    private static readonly Dictionary<string, string> OnlyKeys = new() { ["AWS_ACCESS_KEY_ID"] = "AKIAENV", ["AWS_SECRET_ACCESS_KEY"] = "env-secret" };

    [Fact]
    public async Task IrsaEnvironment_ReadsTheProjectedTokenFileEachRefresh()
    {
        await File.WriteAllTextAsync(_tokenFile, "first-token\n");
        var source = Source("", new() { ["AWS_WEB_IDENTITY_TOKEN_FILE"] = _tokenFile, ["AWS_ROLE_ARN"] = Role, ["AWS_ROLE_SESSION_NAME"] = "pod-1" });

        await source.GetAsync(CancellationToken.None);
        await File.WriteAllTextAsync(_tokenFile, "rotated-token\n");
        _time.Advance(TimeSpan.FromMinutes(56));
        await source.GetAsync(CancellationToken.None);

        Assert.Equal(["first-token", "rotated-token"], _sts.Forms.Select(f => f["WebIdentityToken"]));
        Assert.All(_sts.Forms, f => Assert.Equal("pod-1", f["RoleSessionName"]));
        Assert.All(_sts.Forms, f => Assert.False(f.ContainsKey("Policy")));
    }

    [Fact]
    public async Task RoleUnderIrsa_AssumesCrossAccountRoleWithTheIrsaCredentials()
    {
        await File.WriteAllTextAsync(_tokenFile, "pod-token");
        _sts.SigningKeys = new AwsCredentials("ASIATEMP1", "temp-secret-1", "temp-token-1");
        var source = Source("aws_role_name: arn:aws:iam::999999999999:role/other-account", new() { ["AWS_WEB_IDENTITY_TOKEN_FILE"] = _tokenFile, ["AWS_ROLE_ARN"] = Role });

        var credentials = await source.GetAsync(CancellationToken.None);

        Assert.Equal(["AssumeRoleWithWebIdentity", "AssumeRole"], _sts.Forms.Select(f => f["Action"]));
        Assert.Equal("arn:aws:iam::999999999999:role/other-account", _sts.Forms[1]["RoleArn"]);
        Assert.Empty(_sts.SignatureFailures);
        Assert.Equal("ASIATEMP2", credentials.AccessKeyId);
    }

    [Fact]
    public async Task SecondCall_IsServedFromCacheWithoutSts()
    {
        _sts.SigningKeys = new AwsCredentials("AKIABASE", "base-secret");
        var source = Source($"{BaseKeys}\naws_role_name: {Role}");

        var first = await source.GetAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(50));
        var second = await source.GetAsync(CancellationToken.None);

        Assert.Same(first, second);
        Assert.Equal(1, _sts.Calls);
    }

    [Fact]
    public async Task NearExpiry_ConcurrentCallersShareOneRefresh()
    {
        _sts.SigningKeys = new AwsCredentials("AKIABASE", "base-secret");
        var source = Source($"{BaseKeys}\naws_role_name: {Role}");
        await source.GetAsync(CancellationToken.None);

        _time.Advance(TimeSpan.FromMinutes(56));
        _sts.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var callers = Enumerable.Range(0, 20).Select(_ => source.GetAsync(CancellationToken.None).AsTask()).ToArray();
        _sts.Gate.SetResult();
        var refreshed = await Task.WhenAll(callers);

        Assert.Equal(2, _sts.Calls);
        Assert.All(refreshed, c => Assert.Equal("ASIATEMP2", c.AccessKeyId));
    }

    [Fact]
    public async Task RefreshRefusedWhileOldCredentialsValid_KeepsUsingThem()
    {
        _sts.SigningKeys = new AwsCredentials("AKIABASE", "base-secret");
        var source = Source($"{BaseKeys}\naws_role_name: {Role}");
        await source.GetAsync(CancellationToken.None);

        _time.Advance(TimeSpan.FromMinutes(57));
        _sts.Refuse = (503, "ServiceUnavailable");
        var during = await source.GetAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(4));
        var e = await Assert.ThrowsAsync<AwsCredentialException>(async () => await source.GetAsync(CancellationToken.None));

        Assert.Equal("ASIATEMP1", during.AccessKeyId);
        Assert.Equal(500, e.Status);
    }

    [Fact]
    public async Task StsAccessDenied_401WithStsCodeAndNoSecret()
    {
        _sts.Refuse = (403, "AccessDenied");
        var source = Source($"{BaseKeys}\naws_role_name: {Role}");

        var e = await Assert.ThrowsAsync<AwsCredentialException>(async () => await source.GetAsync(CancellationToken.None));

        Assert.Equal(401, e.Status);
        Assert.StartsWith("STS AssumeRole refused: AccessDenied: Not authorized", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("base-secret", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidWebIdentityToken_401WithoutTheToken()
    {
        _sts.Refuse = (400, "InvalidIdentityToken");
        var source = Source($"aws_role_name: {Role}\naws_web_identity_token: secret-oidc-token-value");

        var e = await Assert.ThrowsAsync<AwsCredentialException>(async () => await source.GetAsync(CancellationToken.None));

        Assert.Equal(401, e.Status);
        Assert.Contains("InvalidIdentityToken", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-oidc-token-value", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StsUnreachable_500NamingTheEndpoint()
    {
        var config = BedrockDeployments.Config($"aws_sts_endpoint: http://127.0.0.1:9/\n{BaseKeys}\naws_role_name: {Role}");
        var source = AwsCredentialResolver.Resolve(BedrockDeployments.Context(config, _clients, _time), "us-east-1");

        var e = await Assert.ThrowsAsync<AwsCredentialException>(async () => await source.GetAsync(CancellationToken.None));

        Assert.Equal(500, e.Status);
        Assert.StartsWith("STS AssumeRole at http://127.0.0.1:9 is unreachable", e.Message, StringComparison.Ordinal);
    }
}
