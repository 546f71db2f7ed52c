using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Providers.OpenAi;

/// <summary>
/// gpt-5 and o-series deployments get LiteLLM's parameter mapping: the body OpenAI receives is the
/// client's bytes with only the renamed or dropped keys changed.
/// </summary>
public sealed class ReasoningParamsTests
{
    private const string Completion = """
        {"id":"chatcmpl-r1","object":"chat.completion","created":1764000000,"model":"gpt-5.2-2025-12-11","choices":[{"index":0,"message":{"role":"assistant","content":"OK","refusal":null,"annotations":[]},"finish_reason":"stop"}],"usage":{"prompt_tokens":14,"completion_tokens":5,"total_tokens":19,"completion_tokens_details":{"reasoning_tokens":0}}}
        """;

    private static async Task<(FakeUpstream Upstream, TestGateway Gateway)> StartAsync(bool dropParams, string provider = "openai")
    {
        var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(Completion);
        var entries = string.Join('\n', new[] { "gpt-5.2", "gpt-5-mini", "o3-mini", "gpt-4o" }.Select(m => $"""
            - model_name: {m}
              litellm_params:
                model: {provider}/{m}
                api_base: {upstream.Url}/v1
                api_key: sk-upstream
                api_version: v1
            """));
        var gateway = await TestGateway.StartAsync(entries, dropParams ? "litellm_settings:\n  drop_params: true\n" : "");
        return (upstream, gateway);
    }

    private static async Task<string> SentBodyAsync(bool dropParams, string body, string provider = "openai")
    {
        var (upstream, gateway) = await StartAsync(dropParams, provider);
        await using (upstream)
        await using (gateway)
        {
            using var response = await gateway.PostJsonAsync("/v1/chat/completions", body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return upstream.LastRequest.BodyText;
        }
    }

    [Fact]
    public async Task TutorialMaxTokensOnGpt52_SentAsMaxCompletionTokens()
    {
        var sent = await SentBodyAsync(dropParams: false, """
            {
                "model": "gpt-5.2",
                "messages": [{"role": "user", "content": "Reply with the word OK only."}],
                "max_tokens": 5
              }
            """);

        Assert.Equal("""
            {
                "model": "gpt-5.2",
                "messages": [{"role": "user", "content": "Reply with the word OK only."}],
                "max_completion_tokens": 5
              }
            """, sent);
    }

    [Fact]
    public async Task Gpt52WithTemperatureAndNoEffort_KeepsTemperature()
    {
        var sent = await SentBodyAsync(dropParams: false,
            """{"model":"gpt-5.2","messages":[{"role":"user","content":"hi"}],"temperature":0.1,"top_p":0.9}""");

        Assert.Equal("""{"model":"gpt-5.2","messages":[{"role":"user","content":"hi"}],"temperature":0.1,"top_p":0.9}""", sent);
    }

    [Fact]
    public async Task Gpt5MiniTemperatureWithDropParams_Dropped()
    {
        var sent = await SentBodyAsync(dropParams: true,
            """{"temperature":0.1,"model":"gpt-5-mini","max_tokens":50,"messages":[{"role":"user","content":"hi"}],"presence_penalty":0.5}""");

        Assert.Equal("""{"model":"gpt-5-mini","max_completion_tokens":50,"messages":[{"role":"user","content":"hi"}]}""", sent);
    }

    [Fact]
    public async Task Gpt5MiniTemperatureOne_Kept()
    {
        var sent = await SentBodyAsync(dropParams: false,
            """{"model":"gpt-5-mini","messages":[{"role":"user","content":"hi"}],"temperature":1}""");

        Assert.Equal("""{"model":"gpt-5-mini","messages":[{"role":"user","content":"hi"}],"temperature":1}""", sent);
    }

    [Fact]
    public async Task DropParamsInRequestBody_DropsTemperature()
    {
        var sent = await SentBodyAsync(dropParams: false,
            """{"model":"gpt-5-mini","temperature":0.1,"drop_params":true,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal("""{"model":"gpt-5-mini","messages":[{"role":"user","content":"hi"}]}""", sent);
    }

    [Theory]
    [InlineData("""{"model":"gpt-4o","drop_params":true,"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("""{"drop_params":false,"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"drop_params":null}""")]
    public async Task DropParamsSwitchOnOrdinaryModel_NeverSentUpstream(string body)
    {
        var sent = await SentBodyAsync(dropParams: false, body);

        Assert.Equal("""{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""", sent);
    }

    [Fact]
    public async Task DropParamsSwitchOnAzure_NeverSentUpstream()
    {
        var sent = await SentBodyAsync(dropParams: false,
            """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"drop_params":true,"temperature":0.2}""", "azure");

        Assert.Equal("""{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"temperature":0.2}""", sent);
    }

    [Fact]
    public async Task BothMaxTokensFields_MaxCompletionTokensWins()
    {
        var sent = await SentBodyAsync(dropParams: false,
            """{"model":"gpt-5-mini","max_tokens":5,"max_completion_tokens":9,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal("""{"model":"gpt-5-mini","max_completion_tokens":9,"messages":[{"role":"user","content":"hi"}]}""", sent);
    }

    [Theory]
    [InlineData("gpt-5-mini", "temperature", "gpt-5 models (including gpt-5-codex) don't support temperature=0.1.")]
    [InlineData("o3-mini", "temperature", "O-series models don't support temperature=0.1.")]
    public async Task TemperatureWithoutDropParams_400NamingTheParameter(string model, string param, string message)
    {
        var (upstream, gateway) = await StartAsync(dropParams: false);
        await using (upstream)
        await using (gateway)
        {
            using var response = await gateway.PostJsonAsync("/v1/chat/completions",
                $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}],"temperature":0.1}""");

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
            Assert.Equal(param, error.GetProperty("param").GetString());
            Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
            Assert.StartsWith(message, error.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Contains("drop_params", error.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Empty(upstream.Requests);
        }
    }

    [Fact]
    public async Task O3MiniUnsupportedParameterWithoutDropParams_400ListingIt()
    {
        var (upstream, gateway) = await StartAsync(dropParams: false);
        await using (upstream)
        await using (gateway)
        {
            using var response = await gateway.PostJsonAsync("/v1/chat/completions",
                """{"model":"o3-mini","messages":[{"role":"user","content":"hi"}],"top_p":0.5,"logprobs":true}""");

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
            Assert.Equal("top_p", error.GetProperty("param").GetString());
            Assert.StartsWith("openai does not support parameters: {'top_p': 0.5, 'logprobs': true}, for model=o3-mini.",
                error.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Empty(upstream.Requests);
        }
    }

    [Fact]
    public async Task O3MiniWithDropParams_DropsUnsupportedAndRenamesMaxTokens()
    {
        var sent = await SentBodyAsync(dropParams: true,
            """{"model":"o3-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":64,"temperature":0.2,"top_p":0.5,"frequency_penalty":0.1,"reasoning_effort":"low"}""");

        Assert.Equal("""{"model":"o3-mini","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":64,"reasoning_effort":"low"}""", sent);
    }

    [Fact]
    public async Task Gpt52SamplingWithReasoningEffort_DroppedWithDropParams()
    {
        var sent = await SentBodyAsync(dropParams: true,
            """{"model":"gpt-5.2","messages":[{"role":"user","content":"hi"}],"reasoning_effort":"high","temperature":0.3,"top_p":0.9}""");

        Assert.Equal("""{"model":"gpt-5.2","messages":[{"role":"user","content":"hi"}],"reasoning_effort":"high"}""", sent);
    }

    [Fact]
    public async Task Gpt4o_ParametersUntouched()
    {
        const string body = """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"max_tokens":5,"temperature":0.1,"presence_penalty":0.5}""";

        var sent = await SentBodyAsync(dropParams: true, body);

        Assert.Equal(body, sent);
    }

    [Fact]
    public async Task StreamingGpt5Mini_ParametersMappedAndUsageRequested()
    {
        var (upstream, gateway) = await StartAsync(dropParams: true);
        await using (upstream)
        await using (gateway)
        {
            upstream.RespondStream([
                """data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-5-mini","choices":[{"index":0,"delta":{"role":"assistant","content":"OK"},"finish_reason":null}]}""" + "\n\n",
                """data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-5-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""" + "\n\n",
                "data: [DONE]\n\n",
            ]);

            using var response = await gateway.PostStreamAsync("/v1/chat/completions",
                """{"temperature":0.7,"model":"gpt-5-mini","stream":true,"messages":[{"role":"user","content":"hi"}],"max_tokens":5}""");

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("OK", Sse.Text(await response.Content.ReadAsStringAsync()));
            Assert.Equal("""{"stream_options":{"include_usage":true},"model":"gpt-5-mini","stream":true,"messages":[{"role":"user","content":"hi"}],"max_completion_tokens":5}""",
                upstream.LastRequest.BodyText);
        }
    }

    [Fact]
    public async Task AzureGpt5Deployment_SameMapping()
    {
        var sent = await SentBodyAsync(dropParams: true,
            """{"model":"gpt-5-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":5,"temperature":0.1}""", provider: "azure");

        Assert.Equal("""{"model":"gpt-5-mini","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":5}""", sent);
    }

    [Fact]
    public async Task AzureOSeriesRoutePrefix_SelectsRulesAndIsStrippedFromDeployment()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(Completion);
        await using var gateway = await TestGateway.StartAsync($"""
            - model_name: reasoner
              litellm_params:
                model: azure/o_series/my-reasoner
                api_base: {upstream.Url}
                api_key: az-key
                api_version: 2025-04-01-preview
            """);

        using var response = await gateway.PostJsonAsync("/v1/chat/completions",
            """{"model":"reasoner","messages":[{"role":"user","content":"hi"}],"max_tokens":5}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/openai/deployments/my-reasoner/chat/completions?api-version=2025-04-01-preview", upstream.LastRequest.PathAndQuery);
        Assert.Equal("""{"model":"reasoner","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":5}""", upstream.LastRequest.BodyText);
    }
}
