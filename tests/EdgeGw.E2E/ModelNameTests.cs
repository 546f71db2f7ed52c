using System.Net;
using System.Text;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.E2E;

/// <summary>Bare model names and wildcards on the native binary, with a tutorial's model_list.</summary>
public sealed class ModelNameTests
{
    [Fact]
    public async Task TutorialBareNamesAndStar_StartAndReachAnthropic()
    {
        await using var anthropic = await FakeUpstream.StartAsync();
        anthropic.RespondJson("""
            {"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":8,"output_tokens":1}}
            """);
        await using var gateway = await GatewayProcess.StartAsync($"""
            model_list:
            {TutorialConfigs.SdkLessonModelList.Replace("\n", "\n  ", StringComparison.Ordinal)}
              - model_name: "*"
                litellm_params:
                  model: "*"
            general_settings:
              master_key: {GatewayProcess.MasterKey}
            """, environment: new Dictionary<string, string> { ["ANTHROPIC_API_KEY"] = "sk-ant-e2e", ["ANTHROPIC_API_BASE"] = anthropic.Url });

        foreach (var model in new[] { "claude-sonnet", "claude-haiku-4-5" })
        {
            using var response = await gateway.Client.PostAsync("/v1/chat/completions", new StringContent(
                $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(["claude-sonnet-4-6", "claude-haiku-4-5"], anthropic.Requests.Select(r => r.Json().RootElement.GetProperty("model").GetString()));
        Assert.All(anthropic.Requests, r => Assert.Equal("sk-ant-e2e", r.Headers["x-api-key"]));
    }

    [Fact]
    public async Task BareGeminiNameWithoutCredentials_StartsAndEachRequestSaysWhatToSet()
    {
        // Hermetic: no Application Default Credentials from the machine running the test.
        await using var gateway = await GatewayProcess.StartAsync($"""
            model_list:
              - model_name: gemini-2.5-pro
                litellm_params:
                  model: gemini-2.5-pro
            general_settings:
              master_key: {GatewayProcess.MasterKey}
            """, environment: new Dictionary<string, string> { ["GOOGLE_APPLICATION_CREDENTIALS"] = "", ["VERTEXAI_CREDENTIALS"] = "", ["CLOUDSDK_CONFIG"] = "/nonexistent-gcloud-config" });

        using var response = await gateway.Client.PostAsync("/v1/chat/completions", new StringContent(
            """{"model":"gemini-2.5-pro","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("vertex_credentials", body, StringComparison.Ordinal);
        Assert.Contains("GOOGLE_APPLICATION_CREDENTIALS", body, StringComparison.Ordinal);
    }
}
