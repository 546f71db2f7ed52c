using System.Net;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Vertex;

/// <summary>What a <c>vertex_ai/</c> deployment's configuration does: bare Google names, missing credentials or project, retries and cooldown.</summary>
public sealed class VertexConfigTests : IAsyncLifetime
{
    private const string Chat = """{"model":"g","messages":[{"role":"user","content":"hello"}]}""";
    private FakeUpstream _vertex = null!;
    private FakeGoogleTokenEndpoint _tokens = null!;

    public async Task InitializeAsync()
    {
        _vertex = await FakeUpstream.StartAsync();
        _tokens = await FakeGoogleTokenEndpoint.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _tokens.DisposeAsync();
        await _vertex.DisposeAsync();
    }

    [Fact]
    public async Task BareGeminiName_IsServedByVertexWithItsCredentials()
    {
        _vertex.RespondJson(VertexWireFixtures.GeminiText("ok"));
        await using var gateway = await TestGateway.StartAsync($"""
            - model_name: g
              litellm_params:
                model: gemini-2.5-pro
                api_base: {_vertex.Url}/vertex/gemini-2.5-pro
                vertex_credentials: '{_tokens.ServiceAccountJson()}'
            """);

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/vertex/gemini-2.5-pro:generateContent", _vertex.LastRequest.PathAndQuery);
        Assert.Equal("Bearer ya29.test-token-1", _vertex.LastRequest.Headers["authorization"]);
    }

    [Fact]
    public async Task BareGeminiNameWithoutCredentials_StartsAndEachRequestIs500NamingWhatToSet()
    {
        await using var gateway = await TestGateway.StartAsync("""
            - model_name: g
              litellm_params:
                model: gemini-2.5-pro
            """);

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat);
        var message = (await TestJson.ErrorMessageAsync(response));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("vertex_credentials", message, StringComparison.Ordinal);
        Assert.Contains("GOOGLE_APPLICATION_CREDENTIALS", message, StringComparison.Ordinal);
        Assert.Empty(_tokens.Requests);
    }

    [Fact]
    public async Task CredentialsWithoutProject_EachRequestIs500NamingVertexProject()
    {
        await using var gateway = await TestGateway.StartAsync($"""
            - model_name: g
              litellm_params:
                model: vertex_ai/gemini-2.5-pro
                vertex_credentials: '{_tokens.ServiceAccountJson(projectId: null)}'
            """);

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat);
        var message = await TestJson.ErrorMessageAsync(response);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("vertex_project", message, StringComparison.Ordinal);
        Assert.Empty(_vertex.Requests);
    }

    [Fact]
    public async Task TokenEndpointRefusingTheKey_FailsTheRequestWithoutCallingVertex()
    {
        _tokens.Failure = (400, """{"error":"invalid_grant","error_description":"Invalid JWT Signature."}""");
        await using var gateway = await TestGateway.StartAsync($"""
            - model_name: g
              litellm_params:
                model: vertex_ai/gemini-2.5-pro
                api_base: {_vertex.Url}/vertex/gemini-2.5-pro
                vertex_credentials: '{_tokens.ServiceAccountJson()}'
            """, "router_settings:\n  num_retries: 0\n");

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat);
        var message = await TestJson.ErrorMessageAsync(response);

        Assert.False(response.IsSuccessStatusCode);
        Assert.Contains("Invalid JWT Signature", message, StringComparison.Ordinal);
        Assert.Empty(_vertex.Requests);
    }

    [Fact]
    public async Task ResourceExhaustedFirstInOrder_RetriesOnTheNextAndCoolsTheFirstDown()
    {
        await using var second = await FakeUpstream.StartAsync();
        _vertex.RespondJson(VertexWireFixtures.ResourceExhausted, 429);
        second.RespondJson(VertexWireFixtures.GeminiText("ok"));
        await using var gateway = await TestGateway.StartAsync(
            VertexYaml.Entry("g", "vertex_ai/gemini-2.0-flash-001", _vertex.Url + "/a/gemini-2.0-flash-001", _tokens, "\n    order: 1") + "\n"
            + VertexYaml.Entry("g", "vertex_ai/gemini-2.0-flash-001", second.Url + "/b/gemini-2.0-flash-001", _tokens, "\n    order: 2"),
            "router_settings:\n  num_retries: 1\n  allowed_fails: 0\n  cooldown_time: 60\n");

        for (var i = 0; i < 3; i++)
        {
            using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Single(_vertex.Requests);
        Assert.Equal(3, second.Requests.Count);
    }
}

internal static class TestJson
{
    public static async Task<string> ErrorMessageAsync(HttpResponseMessage response) =>
        System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("message").GetString()!;
}
