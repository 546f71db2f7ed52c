using System.Text;
using EdgeGw.Providers.Bedrock.Aws;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Bedrock;

/// <summary>
/// AWS's published SigV4 test suite (aws-sig-v4-test-suite): example credentials, region us-east-1,
/// service "service", 20150830T123600Z. Each expected Authorization value is AWS's own.
/// </summary>
public sealed class SigV4TestSuiteTests
{
    private const string Prefix = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ";
    private const string SuiteToken =
        "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

    internal static readonly DateTimeOffset SuiteTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);
    internal static readonly AwsCredentials SuiteCredentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

    private static readonly SigV4Signer Signer = new("us-east-1", "service", new FakeTime(SuiteTime));

    private static HttpRequestMessage Signed(HttpMethod method, string url, AwsCredentials credentials, string? body = null, string? contentType = null)
    {
        var message = new HttpRequestMessage(method, url);
        var bytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
        if (body is not null)
        {
            message.Content = new ByteArrayContent(bytes);
            message.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        Signer.Sign(message, bytes, credentials);
        return message;
    }

    private static string Header(HttpRequestMessage message, string name) => string.Join(",", message.Headers.GetValues(name));

    [Fact]
    public void GetVanilla_MatchesAwsSignature()
    {
        using var message = Signed(HttpMethod.Get, "https://example.amazonaws.com/", SuiteCredentials);

        Assert.Equal(Prefix + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            Header(message, "Authorization"));
        Assert.Equal("20150830T123600Z", Header(message, "X-Amz-Date"));
        Assert.False(message.Headers.Contains("X-Amz-Security-Token"));
    }

    [Fact]
    public void GetVanillaQueryOrderKeyCase_SortsQueryBeforeSigning()
    {
        using var message = Signed(HttpMethod.Get, "https://example.amazonaws.com/?Param2=value2&Param1=value1", SuiteCredentials);

        Assert.EndsWith("Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500", Header(message, "Authorization"));
    }

    [Fact]
    public void GetVanillaQueryUnreserved_KeepsUnreservedCharacters()
    {
        const string unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        using var message = Signed(HttpMethod.Get, $"https://example.amazonaws.com/?{unreserved}={unreserved}", SuiteCredentials);

        Assert.EndsWith("Signature=9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197", Header(message, "Authorization"));
    }

    [Fact]
    public void GetVanillaUtf8Query_EncodesUtf8Bytes()
    {
        using var message = Signed(HttpMethod.Get, "https://example.amazonaws.com/?\u1234=bar", SuiteCredentials);

        Assert.EndsWith("Signature=2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04", Header(message, "Authorization"));
    }

    [Fact]
    public void PostVanilla_MatchesAwsSignature()
    {
        using var message = Signed(HttpMethod.Post, "https://example.amazonaws.com/", SuiteCredentials);

        Assert.Equal(Prefix + "SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
            Header(message, "Authorization"));
    }

    [Fact]
    public void PostVanillaQuery_MatchesAwsSignature()
    {
        using var message = Signed(HttpMethod.Post, "https://example.amazonaws.com/?Param1=value1", SuiteCredentials);

        Assert.EndsWith("Signature=28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11", Header(message, "Authorization"));
    }

    [Fact]
    public void PostXWwwFormUrlencoded_SignsContentTypeAndBody()
    {
        using var message = Signed(HttpMethod.Post, "https://example.amazonaws.com/", SuiteCredentials, "Param1=value1", "application/x-www-form-urlencoded");

        Assert.Equal(Prefix + "SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
            Header(message, "Authorization"));
    }

    [Fact]
    public void PostXWwwFormUrlencodedParameters_SignsContentTypeParameters()
    {
        using var message = Signed(HttpMethod.Post, "https://example.amazonaws.com/", SuiteCredentials, "Param1=value1", "application/x-www-form-urlencoded; charset=utf8");

        Assert.EndsWith("Signature=1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe", Header(message, "Authorization"));
    }

    [Fact]
    public void PostStsHeaderBefore_SignsSecurityToken()
    {
        using var message = Signed(HttpMethod.Post, "https://example.amazonaws.com/", SuiteCredentials with { SessionToken = SuiteToken });

        Assert.Equal(Prefix + "SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead",
            Header(message, "Authorization"));
        Assert.Equal(SuiteToken, Header(message, "X-Amz-Security-Token"));
    }

    [Fact]
    public void PostStsHeaderAfter_TokenAddedAfterSigningLeavesVanillaSignature()
    {
        // The suite's other form: services that want the token outside the signature. Signing without it and adding it
        // afterwards must give post-vanilla's signature; EdgeGw always signs it (botocore does too), which every AWS service accepts.
        using var message = Signed(HttpMethod.Post, "https://example.amazonaws.com/", SuiteCredentials);
        message.Headers.TryAddWithoutValidation("X-Amz-Security-Token", SuiteToken);

        Assert.EndsWith("Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b", Header(message, "Authorization"));
    }

    // The suite's get-utf8 and get-space send the raw path on the wire ("GET /ሴ"); .NET always percent-encodes a
    // URI path, so these go through the path-as-sent entry point, with the raw path the suite puts on the wire.
    [Theory]
    [InlineData("/\u1234", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85")]
    [InlineData("/example space/", "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741")]
    [InlineData("/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f")]
    public void RawPathOnTheWire_MatchesAwsSignature(string path, string signature)
    {
        SignedHeader[] headers = [new("Host", "example.amazonaws.com"), new("X-Amz-Date", "20150830T123600Z")];

        var authorization = Signer.Authorization("GET", path, "", headers, [], SuiteCredentials, "20150830T123600Z", SuiteTime);

        Assert.Equal(Prefix + "SignedHeaders=host;x-amz-date, Signature=" + signature, authorization);
    }

    [Fact]
    public void GetHeaderValueTrim_TrimsAndFoldsSpaces()
    {
        SignedHeader[] headers =
        [
            new("Host", "example.amazonaws.com"), new("My-Header1", " value1 "), new("My-Header2", "\"a   b   c\""), new("X-Amz-Date", "20150830T123600Z"),
        ];

        var authorization = Signer.Authorization("GET", "/", "", headers, [], SuiteCredentials, "20150830T123600Z", SuiteTime);

        Assert.Equal(Prefix + "SignedHeaders=host;my-header1;my-header2;x-amz-date, Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736", authorization);
    }

    [Fact]
    public void IamListUsersExample_MatchesAwsDocumentedSignature()
    {
        // AWS's documented walk-through: GET https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08 in us-east-1, with a content-type header.
        var signer = new SigV4Signer("us-east-1", "iam", new FakeTime(SuiteTime));
        SignedHeader[] headers =
        [
            new("content-type", "application/x-www-form-urlencoded; charset=utf-8"), new("host", "iam.amazonaws.com"), new("x-amz-date", "20150830T123600Z"),
        ];

        var authorization = signer.Authorization("GET", "/", "Action=ListUsers&Version=2010-05-08", headers, [], SuiteCredentials, "20150830T123600Z", SuiteTime);

        Assert.Equal("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, "
            + "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7", authorization);
    }
}
