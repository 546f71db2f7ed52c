using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Providers.Gemini;

public sealed class GeminiErrorTests : GeminiTestBase
{
    // These tests are about how one upstream answer reaches the client, not about retries (Routing/ covers those).
    protected override string ExtraYaml => "router_settings:\n  num_retries: 0\n";

    private async Task<(HttpResponseMessage Response, JsonElement Error)> FailAsync(string body, int status, IDictionary<string, string>? headers = null)
    {
        Upstream.RespondJson(body, status, headers);
        var response = await ChatAsync(UserMessage());
        return (response, Error(await JsonAsync(response)));
    }

    [Fact]
    public async Task InvalidArgument_Is400WithUpstreamMessage()
    {
        var (response, error) = await FailAsync("""
            {"error":{"code":400,"message":"* GenerateContentRequest.contents: contents is not specified\n","status":"INVALID_ARGUMENT"}}
            """, 400);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("* GenerateContentRequest.contents: contents is not specified\n", error.GetProperty("message").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("400", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task ResourceExhausted_Is429WithRetryAfterFromRetryInfo()
    {
        var (response, error) = await FailAsync("""
            {"error":{"code":429,"message":"You exceeded your current quota.","status":"RESOURCE_EXHAUSTED",
              "details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaMetric":"m","quotaId":"q"}]},
                         {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"33.2s"}]}}
            """, 429);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("rate_limit_error", error.GetProperty("type").GetString());
        Assert.Equal("You exceeded your current quota.", error.GetProperty("message").GetString());
        Assert.Equal("34", response.Headers.GetValues("Retry-After").Single());
    }

    [Fact]
    public async Task RetryAfterHeader_IsPropagated()
    {
        var (response, _) = await FailAsync("""{"error":{"code":429,"message":"slow down","status":"RESOURCE_EXHAUSTED"}}""", 429,
            new Dictionary<string, string> { ["Retry-After"] = "7" });

        Assert.Equal("7", response.Headers.GetValues("Retry-After").Single());
    }

    [Fact]
    public async Task PermissionDenied_Is403()
    {
        var (response, error) = await FailAsync("""{"error":{"code":403,"message":"Method doesn't allow unregistered callers.","status":"PERMISSION_DENIED"}}""", 403);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("permission_error", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Internal_Is500()
    {
        var (response, error) = await FailAsync("""{"error":{"code":500,"message":"An internal error has occurred.","status":"INTERNAL"}}""", 500);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("api_error", error.GetProperty("type").GetString());
        Assert.Equal("An internal error has occurred.", error.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData(400, "INVALID_ARGUMENT")]
    [InlineData(500, "INTERNAL")]
    public async Task InputTooLong_IsContextLengthExceeded(int status, string grpcStatus)
    {
        var (response, error) = await FailAsync("""
            {"error":{"code":STATUS,"message":"The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).","status":"GRPC"}}
            """.Replace("STATUS", status.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal).Replace("GRPC", grpcStatus, StringComparison.Ordinal), status);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("context_length_exceeded", error.GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task InvalidApiKey_Is401AndNeverEchoesTheKey()
    {
        var (response, error) = await FailAsync("""
            {"error":{"code":400,"message":"API key not valid: @@K. Please pass a valid API key.","status":"INVALID_ARGUMENT",
              "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}
            """.Replace("@@K", UpstreamKey, StringComparison.Ordinal), 400);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("authentication_error", error.GetProperty("type").GetString());
        Assert.DoesNotContain(UpstreamKey, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonJsonErrorBody_KeepsStatusAndText()
    {
        Upstream.Handle(async (c, _) =>
        {
            c.Response.StatusCode = 503;
            c.Response.ContentType = "text/html";
            await c.Response.WriteAsync("<html>Service Unavailable</html>");
        });

        using var response = await ChatAsync(UserMessage());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("<html>Service Unavailable</html>", Error(await JsonAsync(response)).GetProperty("message").GetString());
    }

    [Fact]
    public async Task ErrorInsideOkBody_IsMappedAsError()
    {
        var (response, error) = await FailAsync("""{"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}}""", 200);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("quota", error.GetProperty("message").GetString());
    }
}

public sealed class GeminiUnreachableTests
{
    [Fact]
    public async Task UnreachableUpstream_Is502()
    {
        var port = FreePort();
        await using var gateway = await TestGateway.StartAsync($"""
            - model_name: g
              litellm_params:
                model: gemini/gemini-2.5-flash
                api_base: http://127.0.0.1:{port}
                api_key: k
            """);

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", """{"model":"g","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("api_connection_error", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task SlowUpstream_Is504()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handle(async (c, _) => await Task.Delay(TimeSpan.FromSeconds(30), c.RequestAborted));
        await using var gateway = await TestGateway.StartAsync($"""
            - model_name: g
              litellm_params:
                model: gemini/gemini-2.5-flash
                api_base: {upstream.Url}
                api_key: k
                timeout: 0.2
            """);

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", """{"model":"g","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("timeout", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("type").GetString());
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
