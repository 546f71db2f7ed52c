using System.Net;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Api;

/// <summary>A deployment borrowing a <c>credential_list</c> entry calls its upstream with that credential's key and base.</summary>
public sealed class CredentialListGatewayTests
{
    private const string Completion = """
        {"id":"chatcmpl-c1","object":"chat.completion","created":1764000000,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}
        """;

    [Fact]
    public async Task DeploymentWithCredentialName_SendsTheCredentialsKeyToTheCredentialsBase()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(Completion);
        await using var gateway = await TestGateway.StartAsync("""
            - model_name: shared
              litellm_params:
                model: openai/gpt-4o
                litellm_credential_name: team_openai
            """, $"""
            credential_list:
              - credential_name: team_openai
                credential_values:
                  api_key: sk-from-credential
                  api_base: {upstream.Url}/v1
            """);

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", """{"model":"shared","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/v1/chat/completions", upstream.LastRequest.PathAndQuery);
        Assert.Equal("Bearer sk-from-credential", upstream.LastRequest.Headers["authorization"]);
    }
}
