using System.Net;
using System.Text;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.E2E;

/// <summary>
/// <c>vertex_ai/</c> on the native binary: the service-account assertion is signed (RS256) under Native AOT and
/// accepted by a loopback token endpoint that verifies it with the public key; Gemini and Claude answer through one token.
/// </summary>
public sealed class VertexProcessTests
{
    private const string GeminiPath = "/v1/projects/edge-proj/locations/us-central1/publishers/google/models/gemini-2.0-flash-001";
    private const string ClaudePath = "/v1/projects/edge-proj/locations/us-east5/publishers/anthropic/models/claude-sonnet-4@20250514";

    [Fact]
    public async Task ServiceAccountOnNativeBinary_SignsOnceAndServesGeminiAndClaudeWithOneToken()
    {
        await using var tokens = await FakeGoogleTokenEndpoint.StartAsync();
        await using var vertex = await FakeUpstream.StartAsync();
        vertex.Handle(async (context, request) =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(request.PathAndQuery.EndsWith(":rawPredict", StringComparison.Ordinal)
                ? """{"id":"msg_vrtx_01","type":"message","role":"assistant","model":"claude-sonnet-4-20250514","content":[{"type":"text","text":"from claude"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":8,"output_tokens":3}}"""
                : """{"candidates":[{"content":{"role":"model","parts":[{"text":"from gemini"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":2,"totalTokenCount":7},"modelVersion":"gemini-2.0-flash-001","responseId":"r1"}""");
        });
        var credentials = tokens.ServiceAccountJson();
        await using var gateway = await GatewayProcess.StartAsync($"""
            model_list:
              - model_name: gemini
                litellm_params:
                  model: vertex_ai/gemini-2.0-flash-001
                  api_base: {vertex.Url}{GeminiPath}
                  vertex_credentials: os.environ/VERTEX_SA
              - model_name: claude
                litellm_params:
                  model: vertex_ai/claude-sonnet-4@20250514
                  api_base: {vertex.Url}{ClaudePath}
                  vertex_credentials: os.environ/VERTEX_SA
            general_settings:
              master_key: {GatewayProcess.MasterKey}
            """, environment: new Dictionary<string, string> { ["VERTEX_SA"] = credentials });

        var answers = new List<string>();
        foreach (var model in new[] { "gemini", "claude", "gemini" })
        {
            using var response = await gateway.Client.PostAsync("/v1/chat/completions", new StringContent(
                $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            answers.Add(System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!);
        }

        Assert.Equal(["from gemini", "from claude", "from gemini"], answers);
        Assert.Empty(tokens.Rejections);
        Assert.Equal(1, tokens.Issued); // one token for the service account both deployments use, reused by every request
        Assert.All(vertex.Requests, r => Assert.StartsWith("Bearer ya29.test-token-", r.Headers["authorization"], StringComparison.Ordinal));
        Assert.Equal("vertex-2023-10-16", vertex.Requests.Single(r => r.PathAndQuery == ClaudePath + ":rawPredict").Json().RootElement.GetProperty("anthropic_version").GetString());
    }
}
