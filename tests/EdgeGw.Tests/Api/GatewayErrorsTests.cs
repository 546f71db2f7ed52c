using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Api;

/// <summary>Every failure is the OpenAI envelope with the right status.</summary>
public sealed class GatewayErrorsTests : IAsyncLifetime
{
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync("""
        - model_name: mock-gpt
          litellm_params:
            model: mock/mock-gpt
        """, "  max_request_size_mb: 0.001\n");

    public Task DisposeAsync() => _gateway.DisposeAsync().AsTask();

    private static async Task<JsonElement> Envelope(HttpResponseMessage response)
    {
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal(JsonValueKind.String, error.GetProperty("message").ValueKind);
        Assert.Equal(JsonValueKind.String, error.GetProperty("type").ValueKind);
        Assert.True(error.TryGetProperty("param", out _));
        Assert.True(error.TryGetProperty("code", out _));
        return error;
    }

    private HttpClient Anonymous() => new() { BaseAddress = _gateway.BaseAddress };

    [Fact]
    public async Task NoKey_Is401InEnvelope()
    {
        using var client = Anonymous();
        using var response = await _gateway.PostJsonAsync("/v1/chat/completions", """{"model":"mock-gpt","messages":[]}""", client);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("auth_error", (await Envelope(response)).GetProperty("type").GetString());
    }

    [Fact]
    public async Task WrongKey_Is401AndDoesNotEchoIt()
    {
        using var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk-wrong-secret-123");
        using var response = await _gateway.PostJsonAsync("/v1/chat/completions", """{"model":"mock-gpt","messages":[{"role":"user","content":"x"}]}""", client);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("sk-wrong-secret-123", (await Envelope(response)).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x-api-key", TestGateway.MasterKey)]
    [InlineData("x-litellm-api-key", TestGateway.MasterKey)]
    [InlineData("x-litellm-api-key", "Bearer " + TestGateway.MasterKey)]
    [InlineData("Authorization", "bearer " + TestGateway.MasterKey)]
    public async Task MasterKeyInAnySupportedHeader_IsAccepted(string header, string value)
    {
        using var client = Anonymous();
        client.DefaultRequestHeaders.TryAddWithoutValidation(header, value);
        using var response = await client.GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("{\"model\":\"mock-gpt\",\"messages\":[", null)]
    [InlineData("[1,2]", null)]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "model")]
    [InlineData("{\"model\":\"mock-gpt\"}", "messages")]
    [InlineData("{\"model\":\"mock-gpt\",\"messages\":[]}", "messages")]
    [InlineData("{\"model\":\"mock-gpt\",\"messages\":\"hi\"}", "messages")]
    [InlineData("{\"model\":42,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "model")]
    [InlineData("{\"model\":\"mock-gpt\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "stream")]
    [InlineData("{\"model\":\"mock-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} trailing", null)]
    public async Task BadRequestBody_Is400NamingTheField(string body, string? param)
    {
        using var response = await _gateway.PostJsonAsync("/v1/chat/completions", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await Envelope(response);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        if (param is not null)
        {
            Assert.Equal(param, error.GetProperty("param").GetString());
            Assert.Contains(param, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task MalformedJson_SaysWhereItBroke()
    {
        using var response = await _gateway.PostJsonAsync("/v1/chat/completions", "{\"model\": \"mock-gpt\", \"messages\": [}");
        var message = (await Envelope(response)).GetProperty("message").GetString()!;
        Assert.StartsWith("Malformed JSON in request body", message, StringComparison.Ordinal);
        Assert.Contains("BytePositionInLine", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownModel_Is400NamingIt()
    {
        using var response = await _gateway.PostJsonAsync("/v1/chat/completions", """{"model":"gpt-9","messages":[{"role":"user","content":"x"}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await Envelope(response);
        Assert.Contains("model=gpt-9", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("model", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task BodyOverMaxRequestSize_Is413()
    {
        var big = "{\"model\":\"mock-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('x', 4000) + "\"}]}";
        using var response = await _gateway.PostJsonAsync("/v1/chat/completions", big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("max_request_size_mb", (await Envelope(response)).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChunkedBodyOverMaxRequestSize_Is413()
    {
        var big = "{\"model\":\"mock-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('x', 4000) + "\"}]}";
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await _gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task UnknownRoute_Is404InEnvelope()
    {
        using var response = await _gateway.Client.GetAsync("/v1/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("/v1/nothing-here", (await Envelope(response)).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongMethod_Is405WithAllowHeader()
    {
        using var response = await _gateway.Client.GetAsync("/v1/chat/completions");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("POST", response.Content.Headers.Allow);
        await Envelope(response);
    }

    [Fact]
    public async Task BadInputs_LeaveTheGatewayServing()
    {
        foreach (var body in new[] { "", "{", "null", "{\"model\":{}}", new string('[', 5000) })
            using (await _gateway.PostJsonAsync("/v1/chat/completions", body)) { }
        using var response = await _gateway.PostJsonAsync("/v1/chat/completions", """{"model":"mock-gpt","messages":[{"role":"user","content":"x"}]}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
