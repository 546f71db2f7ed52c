using System.Net;
using System.Text;
using EdgeGw.Providers.Bedrock;

namespace EdgeGw.Tests.Providers.Bedrock;

/// <summary>Bedrock's exception names reach the client as the statuses LiteLLM gives them, mid-stream or not.</summary>
public sealed class BedrockStreamErrorsTests
{
    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Theory]
    [InlineData("throttlingException", 429, "rate_limit_error")]
    [InlineData("validationException", 400, "invalid_request_error")]
    [InlineData("modelStreamErrorException", 500, "api_error")]
    [InlineData("internalServerException", 500, "api_error")]
    [InlineData("serviceUnavailableException", 503, "api_error")]
    [InlineData("modelTimeoutException", 408, "timeout")]
    [InlineData("accessDeniedException", 403, "permission_error")]
    [InlineData("somethingNewException", 500, "api_error")]
    public void StreamExceptionFrame_MapsToStatusAndTypeWithItsMessage(string exceptionType, int status, string type)
    {
        var error = BedrockStreamErrors.Map(Utf8(exceptionType), Utf8("""{"message":"Bedrock says no."}"""), "claude-bedrock");

        Assert.Equal(status, error.Status);
        Assert.Equal(type, error.Type);
        Assert.Equal("Bedrock says no.", error.Message);
        Assert.Equal(status.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Code);
    }

    [Fact]
    public void ModelStreamErrorWithOnlyOriginalMessage_UsesIt()
    {
        var error = BedrockStreamErrors.Map(Utf8("modelStreamErrorException"),
            Utf8("""{"originalStatusCode":500,"originalMessage":"Model produced invalid sequence as part of ToolUse."}"""), "nova");

        Assert.Equal("Model produced invalid sequence as part of ToolUse.", error.Message);
    }

    [Fact]
    public void ErrorFrameWithPlainTextMessage_KeepsTheText()
    {
        var error = BedrockStreamErrors.Map(Utf8("InternalFailure"), Utf8("The request processing has failed because of an unknown error."), "claude-bedrock");

        Assert.Equal(500, error.Status);
        Assert.Equal("The request processing has failed because of an unknown error.", error.Message);
    }

    [Fact]
    public void ExceptionWithoutMessage_NamesTheDeploymentAndType()
    {
        var error = BedrockStreamErrors.Map(Utf8("throttlingException"), Utf8("{}"), "claude-bedrock");

        Assert.Equal("Deployment 'claude-bedrock' reported throttlingException mid-stream.", error.Message);
        Assert.Equal(429, error.Status);
    }

    [Fact]
    public void ThrottleSayingTooManyTokens_StaysARateLimit()
    {
        var error = BedrockStreamErrors.Map(Utf8("throttlingException"), Utf8("""{"message":"Too many tokens, please wait before trying again."}"""), "claude-bedrock");

        Assert.Equal(429, error.Status);
        Assert.Equal("429", error.Code);
    }

    [Theory]
    [InlineData("Input is too long for requested model.")]
    [InlineData("The model returned the following errors: prompt is too long: 215443 tokens > 200000 maximum")]
    [InlineData("1 validation error detected: Value at 'messages.1.member.content' failed to satisfy constraint: expected maxLength: 50000")]
    [InlineData("Too many input tokens. Max input tokens: 8192, request input token count: 10301")]
    public void ValidationAboutPromptLength_IsContextLengthExceeded(string message)
    {
        var error = BedrockStreamErrors.MapHttp(HttpStatusCode.BadRequest, "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/",
            Utf8($$"""{"message":"{{message}}"}"""), "claude-bedrock");

        Assert.Equal(400, error.Status);
        Assert.Equal("context_length_exceeded", error.Code);
        Assert.Equal("invalid_request_error", error.Type);
    }

    [Fact]
    public void ErrorTypeHeaderWithCoralSuffix_MapsByItsName()
    {
        var error = BedrockStreamErrors.MapHttp(HttpStatusCode.TooManyRequests,
            "ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/",
            Utf8("""{"message":"Too many requests, please wait before trying again."}"""), "claude-bedrock");

        Assert.Equal(429, error.Status);
        Assert.Equal("rate_limit_error", error.Type);
        Assert.Equal("Too many requests, please wait before trying again.", error.Message);
    }

    [Fact]
    public void CapitalisedMessageAndBodyType_AreRead()
    {
        var error = BedrockStreamErrors.MapHttp(HttpStatusCode.Forbidden, null,
            Utf8("""{"__type":"com.amazon.coral.service#UnrecognizedClientException","Message":"The security token included in the request is invalid."}"""), "claude-bedrock");

        Assert.Equal(401, error.Status);
        Assert.Equal("authentication_error", error.Type);
        Assert.Equal("The security token included in the request is invalid.", error.Message);
    }

    [Fact]
    public void SignatureMismatch_DropsTheEchoedRequestWithItsToken()
    {
        const string token = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN";
        var message = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. "
            + "Consult the service documentation for details.\\n\\nThe Canonical String for this request should have been\\n'POST\\n/model/x/converse\\n\\n"
            + $"host:bedrock-runtime.us-east-1.amazonaws.com\\nx-amz-security-token:{token}\\n'\\n\\nThe String-to-Sign should have been\\n'AWS4-HMAC-SHA256'";

        var error = BedrockStreamErrors.MapHttp(HttpStatusCode.Forbidden, "InvalidSignatureException", Utf8($$"""{"message":"{{message}}"}"""), "claude-bedrock");

        Assert.DoesNotContain(token, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Canonical String", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("The request signature we calculated does not match", error.Message, StringComparison.Ordinal);
        Assert.Equal(401, error.Status);
    }

    [Fact]
    public void BearerKeyEchoedInAMessage_IsRedacted()
    {
        var error = BedrockStreamErrors.MapHttp(HttpStatusCode.Forbidden, "AccessDeniedException",
            Utf8("""{"Message":"Invalid API key ABSKQmVkcm9ja0FQSUtleS1leGFtcGxl for this account"}"""), "claude-bedrock", apiKey: "ABSKQmVkcm9ja0FQSUtleS1leGFtcGxl");

        Assert.Equal("Invalid API key [redacted] for this account", error.Message);
        Assert.Equal(403, error.Status);
    }

    [Fact]
    public void UnknownTypeOrNoHeader_KeepsTheHttpStatus()
    {
        var error = BedrockStreamErrors.MapHttp(HttpStatusCode.BadGateway, null, Utf8("<html>Bad Gateway</html>"), "claude-bedrock");

        Assert.Equal(502, error.Status);
        Assert.Equal("<html>Bad Gateway</html>", error.Message);
    }

    [Fact]
    public void EmptyBody_SaysSo()
    {
        var error = BedrockStreamErrors.MapHttp(HttpStatusCode.ServiceUnavailable, "ServiceUnavailableException", [], "claude-bedrock");

        Assert.Equal(503, error.Status);
        Assert.Equal("Deployment 'claude-bedrock' returned HTTP 503 with no body.", error.Message);
    }
}
