using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;
using EdgeGw.Tests.Routing;
using static EdgeGw.Tests.Bedrock.BedrockWireFixtures;

namespace EdgeGw.Tests.Bedrock;

/// <summary>Bedrock failures drive retries, cooldowns and the client's error as any provider's do; bearer and session-token auth.</summary>
public sealed class BedrockRoutingTests : IAsyncLifetime
{
    private const string Chat = """{"model":"front","messages":[{"role":"user","content":"hello"}]}""";

    private FakeUpstream _a = null!;
    private FakeUpstream _b = null!;

    public async Task InitializeAsync()
    {
        _a = await FakeUpstream.StartAsync();
        _b = await FakeUpstream.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    private static string Deployment(FakeUpstream upstream, string id, int order, string auth = "aws_access_key_id: AKIDEXAMPLE\n    aws_secret_access_key: secret-example-key") => $"""
        - model_name: front
          litellm_params:
            model: bedrock/anthropic.claude-3-haiku-20240307-v1:0
            api_base: {upstream.Url}
            aws_region_name: eu-west-1
            {auth}
            order: {order}
          model_info:
            id: {id}
        """;

    private static void Throttle(FakeUpstream upstream) => upstream.Handle(async (c, _) =>
    {
        c.Response.StatusCode = 429;
        c.Response.ContentType = "application/json";
        c.Response.Headers["x-amzn-ErrorType"] = "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/";
        await c.Response.WriteAsync("""{"message":"Too many requests, please wait before trying again."}""");
    });

    private static async Task<JsonElement> Error(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

    [Fact]
    public async Task ThrottledDeployment_RetriedOnTheOtherThenCooledDown()
    {
        Throttle(_a);
        _b.RespondJson(TextAnswer("from b"));
        await using var gateway = await TestGateway.StartAsync(Deployment(_a, "dep-a", 1) + "\n" + Deployment(_b, "dep-b", 2),
            "router_settings:\n  allowed_fails: 0\n  cooldown_time: 30\n  num_retries: 1");

        using var first = await gateway.PostJsonAsync("/v1/chat/completions", Chat);
        using var second = await gateway.PostJsonAsync("/v1/chat/completions", Chat);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("dep-b", RouterWire.Header(first, "x-litellm-model-id"));
        Assert.Equal("1", RouterWire.Header(first, "x-litellm-attempted-retries"));
        Assert.Equal("dep-b", RouterWire.Header(second, "x-litellm-model-id"));
        Assert.Single(_a.Requests);
    }

    [Fact]
    public async Task ThrottledWithoutRetries_Is429RateLimitError()
    {
        Throttle(_a);
        await using var gateway = await TestGateway.StartAsync(Deployment(_a, "dep-a", 1), "router_settings:\n  num_retries: 0");

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var error = await Error(response);
        Assert.Equal("rate_limit_error", error.GetProperty("type").GetString());
        Assert.Contains("Too many requests", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PromptTooLong_Is400ContextLengthExceeded()
    {
        _a.RespondJson("""{"message":"Input is too long for requested model."}""", 400,
            new Dictionary<string, string> { ["x-amzn-ErrorType"] = "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/" });
        await using var gateway = await TestGateway.StartAsync(Deployment(_a, "dep-a", 1), "router_settings:\n  num_retries: 0");

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("context_length_exceeded", (await Error(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task ApiKey_SentAsBearerTokenInsteadOfSigV4()
    {
        _a.RespondJson(TextAnswer("ok"));
        await using var gateway = await TestGateway.StartAsync(Deployment(_a, "dep-a", 1, auth: "api_key: bedrock-api-key-abc123"));

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer bedrock-api-key-abc123", _a.LastRequest.Headers["authorization"]);
        Assert.Equal("/model/anthropic.claude-3-haiku-20240307-v1:0/converse", _a.LastRequest.PathAndQuery);
    }

    [Fact]
    public async Task SessionToken_SignedAndSentWithTheRequest()
    {
        _a.RespondJson(TextAnswer("ok"));
        await using var gateway = await TestGateway.StartAsync(Deployment(_a, "dep-a", 1,
            auth: "aws_access_key_id: ASIAEXAMPLE\n    aws_secret_access_key: secret-example-key\n    aws_session_token: session-token-xyz"));

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var headers = _a.LastRequest.Headers;
        Assert.Equal("session-token-xyz", headers["x-amz-security-token"]);
        Assert.Matches(@"^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/\d{8}/eu-west-1/bedrock/aws4_request, SignedHeaders=[a-z0-9;-]*x-amz-security-token[a-z0-9;-]*, Signature=[0-9a-f]{64}$",
            headers["authorization"]);
    }
}
