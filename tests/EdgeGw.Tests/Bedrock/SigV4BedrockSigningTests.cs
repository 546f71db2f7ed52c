using System.Text;
using EdgeGw.Providers.Bedrock.Aws;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Bedrock;

/// <summary>
/// A Converse request signed as LiteLLM signs it (botocore's SigV4Auth for service "bedrock"): the expected values
/// were produced by botocore 1.43 with the suite's example credentials at 20150830T123600Z.
/// </summary>
public sealed class SigV4BedrockSigningTests
{
    private const string Url = "https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse";
    private const string Body = """{"messages":[{"role":"user","content":[{"text":"Hello"}]}]}""";

    private static HttpRequestMessage Converse(SigV4Signer signer, AwsCredentials credentials, string url = Url)
    {
        var body = Encoding.UTF8.GetBytes(Body);
        var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        message.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        signer.Sign(message, body, credentials);
        return message;
    }

    private static string Authorization(HttpRequestMessage message) => message.Headers.GetValues("Authorization").Single();

    [Fact]
    public void ModelIdWithEncodedColon_SignsLikeBotocore()
    {
        // botocore's canonical URI is /model/us.anthropic.claude-3-5-sonnet-20241022-v2%253A0/converse: the '%' of the sent %3A is encoded again.
        var signer = new SigV4Signer("us-east-1", "bedrock", new FakeTime(SigV4TestSuiteTests.SuiteTime));
        using var message = Converse(signer, SigV4TestSuiteTests.SuiteCredentials);

        Assert.Equal("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date, "
            + "Signature=9c0d063d2ad7c37a647036b861155d36107512a838c6d0cdba69d975534a9825", Authorization(message));
        Assert.Equal("/model/us.anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse", message.RequestUri!.AbsolutePath);
    }

    [Fact]
    public void ArnModelIdWithEncodedSlash_SignsLikeBotocore()
    {
        // An application inference profile ARN, percent-encoded whole as LiteLLM's encode_model_id does: '%2F' must stay
        // encoded on the wire (one path segment) and sign as '%252F'.
        const string arnUrl = "https://bedrock-runtime.us-east-1.amazonaws.com/model/"
            + "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fabc123xyz/converse-stream";
        var signer = new SigV4Signer("us-east-1", "bedrock", new FakeTime(SigV4TestSuiteTests.SuiteTime));
        using var message = Converse(signer, SigV4TestSuiteTests.SuiteCredentials, arnUrl);

        Assert.EndsWith("Signature=75d642fe91cc0368578f12f6127c2bbad1b971ff6f6302d56862644e8a481902", Authorization(message));
        Assert.Equal(arnUrl, message.RequestUri!.AbsoluteUri);
    }

    [Fact]
    public void SessionCredentials_SignAndSendSecurityToken()
    {
        var signer = new SigV4Signer("us-east-1", "bedrock", new FakeTime(SigV4TestSuiteTests.SuiteTime));
        using var message = Converse(signer, SigV4TestSuiteTests.SuiteCredentials with { SessionToken = "session-token-example" });

        Assert.Equal("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "
            + "Signature=b04e9a80ed4157fdb7e121784fdbfc3b73504e1f99866be5693ca0c70f7480cf", Authorization(message));
        Assert.Equal("session-token-example", message.Headers.GetValues("X-Amz-Security-Token").Single());
    }

    [Fact]
    public void SigningTwice_ReplacesTheFirstSignature()
    {
        var signer = new SigV4Signer("us-east-1", "bedrock", new FakeTime(SigV4TestSuiteTests.SuiteTime));
        using var message = Converse(signer, SigV4TestSuiteTests.SuiteCredentials with { SessionToken = "stale" });

        signer.Sign(message, Encoding.UTF8.GetBytes(Body), SigV4TestSuiteTests.SuiteCredentials);

        Assert.EndsWith("Signature=9c0d063d2ad7c37a647036b861155d36107512a838c6d0cdba69d975534a9825", Authorization(message));
        Assert.False(message.Headers.Contains("X-Amz-Security-Token"));
        Assert.Single(message.Headers.GetValues("X-Amz-Date"));
    }

    [Fact]
    public void NextUtcDay_SignsWithThatDaysScope()
    {
        var time = new FakeTime(new DateTimeOffset(2015, 8, 30, 23, 59, 59, TimeSpan.Zero));
        var signer = new SigV4Signer("us-east-1", "bedrock", time);
        using var before = Converse(signer, SigV4TestSuiteTests.SuiteCredentials);

        time.Advance(TimeSpan.FromSeconds(2));
        using var after = Converse(signer, SigV4TestSuiteTests.SuiteCredentials);

        Assert.Contains("/20150830/us-east-1/bedrock/", Authorization(before), StringComparison.Ordinal);
        Assert.Contains("/20150831/us-east-1/bedrock/", Authorization(after), StringComparison.Ordinal);
        Assert.Equal("20150831T000001Z", after.Headers.GetValues("X-Amz-Date").Single());
    }

    [Fact]
    public void RotatedSecret_SignsWithTheNewKey()
    {
        var signer = new SigV4Signer("us-east-1", "bedrock", new FakeTime(SigV4TestSuiteTests.SuiteTime));
        using var first = Converse(signer, SigV4TestSuiteTests.SuiteCredentials);
        using var rotated = Converse(signer, SigV4TestSuiteTests.SuiteCredentials with { SecretAccessKey = "another-secret" });
        using var back = Converse(signer, SigV4TestSuiteTests.SuiteCredentials);

        Assert.NotEqual(Authorization(first), Authorization(rotated));
        Assert.Equal(Authorization(first), Authorization(back));
    }

    [Fact]
    public void ForwardedHeaders_AreSentButNotSigned()
    {
        // LiteLLM signs only host, content-type and x-amz-*: a proxy may rewrite the rest without breaking the signature.
        var signer = new SigV4Signer("us-east-1", "bedrock", new FakeTime(SigV4TestSuiteTests.SuiteTime));
        var body = Encoding.UTF8.GetBytes(Body);
        using var message = new HttpRequestMessage(HttpMethod.Post, Url) { Content = new ByteArrayContent(body) };
        message.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        message.Headers.TryAddWithoutValidation("X-Forwarded-For", "10.0.0.1");
        message.Headers.TryAddWithoutValidation("User-Agent", "edgegw");
        message.Headers.TryAddWithoutValidation("X-Amzn-Trace-Id", "Root=1-abc");

        signer.Sign(message, body, SigV4TestSuiteTests.SuiteCredentials);

        Assert.EndsWith("Signature=9c0d063d2ad7c37a647036b861155d36107512a838c6d0cdba69d975534a9825", Authorization(message));
    }

    [Fact]
    public void Credentials_ToStringHidesSecretAndToken()
    {
        var text = (SigV4TestSuiteTests.SuiteCredentials with { SessionToken = "session-token-example" }).ToString();

        Assert.Contains("AKIDEXAMPLE", text, StringComparison.Ordinal);
        Assert.DoesNotContain("wJalrXUtnFEMI", text, StringComparison.Ordinal);
        Assert.DoesNotContain("session-token-example", text, StringComparison.Ordinal);
    }
}
