using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Api;

public sealed class UpstreamFailureTests : IAsyncLifetime
{
    private FakeUpstream _upstream = null!;
    private TestGateway _gateway = null!;
    private const string Request = """{"model":"gpt","messages":[{"role":"user","content":"hi"}]}""";

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync($"""
            - model_name: gpt
              litellm_params:
                model: openai/gpt-4o
                api_base: {_upstream.Url}/v1
                api_key: sk-upstream-secret-key
            # Only the timeout test uses the tight timeout: a loaded CI box can take 0.3 s for any first call.
            - model_name: tight
              litellm_params:
                model: openai/gpt-4o
                api_base: {_upstream.Url}/v1
                api_key: sk-upstream-secret-key
                timeout: 0.3
            - model_name: nowhere
              litellm_params:
                model: openai/gpt-4o
                api_base: http://127.0.0.1:1/v1
            """, "router_settings:\n  num_retries: 0\n");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private static async Task<JsonElement> Error(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

    [Theory]
    [InlineData(400, "invalid_request_error")]
    [InlineData(401, "invalid_request_error")]
    [InlineData(404, "invalid_request_error")]
    [InlineData(500, "server_error")]
    [InlineData(503, "server_error")]
    public async Task UpstreamError_KeepsStatusAndMessage(int status, string type)
    {
        _upstream.RespondJson("{\"error\":{\"message\":\"upstream says " + status + "\",\"type\":\"" + type + "\",\"param\":\"messages\",\"code\":null}}", status);

        using var response = await _gateway.PostJsonAsync("/v1/chat/completions", Request);

        Assert.Equal(status, (int)response.StatusCode);
        var error = await Error(response);
        Assert.Equal($"upstream says {status}", error.GetProperty("message").GetString());
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal("messages", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task UpstreamContextLengthError_IsMarked()
    {
        _upstream.RespondJson("""{"object":"error","message":"This model's maximum context length is 8192 tokens. However, you requested 9000 tokens.","type":"BadRequestError","code":400}""", 400);

        using var response = await _gateway.PostJsonAsync("/v1/chat/completions", Request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("context_length_exceeded", (await Error(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task UpstreamErrorEchoingTheKey_IsRedacted()
    {
        _upstream.RespondJson("""{"error":{"message":"Incorrect API key provided: sk-upstream-secret-key.","type":"invalid_request_error","code":"invalid_api_key"}}""", 401);

        using var response = await _gateway.PostJsonAsync("/v1/chat/completions", Request);

        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("sk-upstream-secret-key", text, StringComparison.Ordinal);
        Assert.Contains("[redacted]", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonJsonUpstreamError_BodyBecomesMessage()
    {
        _upstream.Handle(async (c, _) => { c.Response.StatusCode = 502; await c.Response.WriteAsync("<html>Bad gateway</html>"); });

        using var response = await _gateway.PostJsonAsync("/v1/chat/completions", Request);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("<html>Bad gateway</html>", (await Error(response)).GetProperty("message").GetString());
    }

    [Fact]
    public async Task UnreachableUpstream_Is502()
    {
        using var response = await _gateway.PostJsonAsync("/v1/chat/completions", """{"model":"nowhere","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("api_connection_error", (await Error(response)).GetProperty("type").GetString());
    }

    [Fact]
    public async Task SlowUpstream_Is504AfterDeploymentTimeout()
    {
        _upstream.Handle(async (c, _) => await Task.Delay(TimeSpan.FromSeconds(5), c.RequestAborted));

        using var response = await _gateway.PostJsonAsync("/v1/chat/completions", """{"model":"tight","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Contains("timed out after 0.3s", (await Error(response)).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedUpstreamSuccessBody_Is502()
    {
        _upstream.RespondJson("{\"id\":\"x\",");

        using var response = await _gateway.PostJsonAsync("/v1/chat/completions", Request);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Theory]
    [InlineData("""{"error":{"message":"Rate limited by provider","code":429}}""", HttpStatusCode.TooManyRequests, "Rate limited by provider")]
    [InlineData("""{"error":{"message":"No endpoints found","code":"no_route"}}""", HttpStatusCode.UnprocessableEntity, "No endpoints found")]
    [InlineData("""{"error":"upstream broke"}""", HttpStatusCode.UnprocessableEntity, "upstream broke")]
    public async Task UpstreamSuccessWithErrorBody_IsTheError(string body, HttpStatusCode status, string message)
    {
        _upstream.RespondJson(body);

        using var response = await _gateway.PostJsonAsync("/v1/chat/completions", Request);

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(message, (await Error(response)).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpstreamSuccessWithErrorBody_RedactsTheProviderKey()
    {
        _upstream.RespondJson("""{"error":{"message":"bad key sk-upstream-secret-key","code":401}}""");

        using var response = await _gateway.PostJsonAsync("/v1/chat/completions", Request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("sk-upstream-secret-key", text, StringComparison.Ordinal);
    }
}
