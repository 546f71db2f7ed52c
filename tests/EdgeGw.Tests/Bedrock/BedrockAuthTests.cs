using System.Text;
using EdgeGw.Providers;
using EdgeGw.Providers.Bedrock.Aws;
using EdgeGw.Tests.Infrastructure;
using EdgeGw.Upstream;

namespace EdgeGw.Tests.Bedrock;

/// <summary>What a Bedrock request carries: a bearer token when one is configured (LiteLLM's precedence), else SigV4.</summary>
public sealed class BedrockAuthTests : IDisposable
{
    private const string Url = "https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse";
    private readonly UpstreamClients _clients = new();

    public void Dispose() => _clients.Dispose();

    private async Task<(HttpRequestMessage Message, EdgeGw.Api.GatewayError? Error)> ApplyAsync(string litellmParams, Dictionary<string, string>? env = null)
    {
        var config = BedrockDeployments.Config(litellmParams, env);
        var auth = BedrockAuth.Create(BedrockDeployments.Context(config, _clients, new FakeTime()), "us-east-1");
        var body = Encoding.UTF8.GetBytes("{}");
        var message = new HttpRequestMessage(HttpMethod.Post, Url) { Content = new ByteArrayContent(body) };
        message.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        return (message, await auth.ApplyAsync(message, body, CancellationToken.None));
    }

    private static string Authorization(HttpRequestMessage message) => message.Headers.GetValues("Authorization").Single();

    private const string Keys = "aws_access_key_id: AKIAPARAM\naws_secret_access_key: param-secret";

    [Fact]
    public async Task ApiKey_SendsBearerEvenWithAwsKeys()
    {
        var (message, error) = await ApplyAsync("api_key: bedrock-api-key\n" + Keys);

        Assert.Null(error);
        Assert.Equal("Bearer bedrock-api-key", Authorization(message));
        Assert.False(message.Headers.Contains("X-Amz-Date"));
    }

    [Fact]
    public async Task BearerTokenVariable_SendsBearer()
    {
        var (message, _) = await ApplyAsync(Keys, new() { ["AWS_BEARER_TOKEN_BEDROCK"] = "env-bedrock-key" });

        Assert.Equal("Bearer env-bedrock-key", Authorization(message));
    }

    [Fact]
    public async Task AwsKeys_SignForBedrockInTheRegion()
    {
        var (message, error) = await ApplyAsync(Keys + "\naws_session_token: param-token");

        Assert.Null(error);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIAPARAM/20260301/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=",
            Authorization(message), StringComparison.Ordinal);
        Assert.Equal("20260301T090000Z", message.Headers.GetValues("X-Amz-Date").Single());
        Assert.Equal("param-token", message.Headers.GetValues("X-Amz-Security-Token").Single());
    }

    [Fact]
    public async Task NoCredentials_401AuthErrorNamingTheDeployment()
    {
        var (message, error) = await ApplyAsync("");

        Assert.NotNull(error);
        Assert.Equal(401, error.Status);
        Assert.Equal("auth_error", error.Type);
        Assert.StartsWith("Bedrock deployment 'claude': no AWS credentials", error.Message, StringComparison.Ordinal);
        Assert.False(message.Headers.Contains("Authorization"));
    }

    [Fact]
    public async Task StsRefusal_ErrorNeverShowsTheBaseSecret()
    {
        await using var sts = await FakeSts.StartAsync(new FakeTime());
        sts.Refuse = (403, "AccessDenied");

        var (_, error) = await ApplyAsync($"{Keys}\naws_role_name: arn:aws:iam::123456789012:role/bedrock\naws_sts_endpoint: {sts.Url}");

        Assert.NotNull(error);
        Assert.Equal(401, error.Status);
        Assert.Contains("AccessDenied", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("param-secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StaticKeys_CompleteWithoutWaiting()
    {
        var config = BedrockDeployments.Config(Keys);
        var source = AwsCredentialResolver.Resolve(BedrockDeployments.Context(config, _clients, new FakeTime()), "us-east-1");

        Assert.True(source.GetAsync(CancellationToken.None).IsCompletedSuccessfully);
        var auth = BedrockAuth.Create(BedrockDeployments.Context(config, _clients, new FakeTime()), "us-east-1");
        using var message = new HttpRequestMessage(HttpMethod.Post, Url);
        Assert.True(auth.ApplyAsync(message, default, CancellationToken.None).IsCompletedSuccessfully);
    }
}
