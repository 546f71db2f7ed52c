using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Api;

/// <summary><c>general_settings.max_response_size_mb</c> caps a non-streamed upstream answer held in memory.</summary>
public sealed class UpstreamResponseCapTests
{
    private static string Completion(int contentLength) =>
        "{\"id\":\"chatcmpl-cap\",\"object\":\"chat.completion\",\"created\":1764000000,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\""
        + new string('x', contentLength)
        + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":5,\"total_tokens\":8}}";

    private static async Task<(FakeUpstream Upstream, TestGateway Gateway)> StartAsync()
    {
        var upstream = await FakeUpstream.StartAsync();
        var gateway = await TestGateway.StartAsync($"""
            - model_name: gpt-4o
              litellm_params:
                model: openai/gpt-4o
                api_base: {upstream.Url}/v1
                api_key: sk-upstream
            """, "  max_response_size_mb: 0.01\n");
        return (upstream, gateway);
    }

    private const string Ask = """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public async Task AnswerOverMaxResponseSize_Is502NamingTheSetting()
    {
        var (upstream, gateway) = await StartAsync();
        await using (upstream)
        await using (gateway)
        {
            upstream.RespondJson(Completion(64 * 1024));
            using var response = await gateway.PostJsonAsync("/v1/chat/completions", Ask);

            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
            Assert.Contains("max_response_size_mb", error.GetProperty("message").GetString(), StringComparison.Ordinal);

            upstream.RespondJson(Completion(100));
            using var normal = await gateway.PostJsonAsync("/v1/chat/completions", Ask);
            Assert.Equal(HttpStatusCode.OK, normal.StatusCode);
        }
    }

    [Fact]
    public async Task AnswerOverMaxResponseSizeOnMessages_Is502InAnthropicEnvelope()
    {
        var (upstream, gateway) = await StartAsync();
        await using (upstream)
        await using (gateway)
        {
            upstream.RespondJson(Completion(64 * 1024));
            using var response = await gateway.PostJsonAsync("/v1/messages",
                """{"model":"gpt-4o","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""");

            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("error", root.GetProperty("type").GetString());
            Assert.Contains("max_response_size_mb", root.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }
}
