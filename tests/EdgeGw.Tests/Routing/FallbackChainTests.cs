using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;
using static EdgeGw.Tests.Routing.RouterWire;

namespace EdgeGw.Tests.Routing;

/// <summary>A fallback group that fails falls back along its own list, as LiteLLM's router does.</summary>
public sealed class FallbackChainTests : IAsyncLifetime
{
    private FakeUpstream _openAi = null!;
    private FakeUpstream _anthropic = null!;
    private FakeUpstream _groq = null!;

    // OpenAI's answer to the tutorial's placeholder key.
    private const string OpenAiBadKey =
        """{"error":{"message":"Incorrect API key provided: sk-your-****-key. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""";
    private const string AnthropicBadKey =
        """{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}""";

    public async Task InitializeAsync()
    {
        _openAi = await FakeUpstream.StartAsync();
        _anthropic = await FakeUpstream.StartAsync();
        _groq = await FakeUpstream.StartAsync();
        _openAi.RespondJson(OpenAiBadKey, 401);
        _anthropic.RespondJson(AnthropicBadKey, 401);
    }

    public async Task DisposeAsync()
    {
        await _openAi.DisposeAsync();
        await _anthropic.DisposeAsync();
        await _groq.DisposeAsync();
    }

    /// <summary>The tutorial's model list and router_settings, with each entry's api_base pointed at a fake.</summary>
    private Task<TestGateway> StartTutorial(string routerExtra = "") => TestGateway.StartAsync($"""
        - model_name: gpt-5.2
          litellm_params:
            model: openai/gpt-5.2
            api_key: os.environ/OPENAI_API_KEY
            api_base: {_openAi.Url}/v1

        - model_name: claude-sonnet
          litellm_params:
            model: anthropic/claude-sonnet-4-6
            api_key: os.environ/ANTHROPIC_API_KEY
            api_base: {_anthropic.Url}

        - model_name: llama-groq
          litellm_params:
            model: groq/llama-3.3-70b-versatile
            api_key: os.environ/GROQ_API_KEY
            api_base: {_groq.Url}/v1
        """, $$"""
        router_settings:
          routing_strategy: least-busy
          num_retries: 3
          retry_after: 5
          fallbacks:
            - {"gpt-5.2": ["claude-sonnet"]}
            - {"claude-sonnet": ["llama-groq"]}
        {{routerExtra}}
        """);

    private const string TutorialRequest = """{"model":"gpt-5.2","messages":[{"role":"user","content":"Reply with OK only."}]}""";

    [Fact]
    public async Task TutorialChainBothFirstGroupsFail_AnsweredByLlamaGroq()
    {
        _groq.RespondJson(Completion("OK"));
        await using var gateway = await StartTutorial();

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", TutorialRequest);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("OK", json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("llama-groq", json.GetProperty("model").GetString());
        Assert.Equal("llama-groq", Header(response, "x-litellm-model-group"));
        Assert.Equal("2", Header(response, "x-litellm-attempted-fallbacks"));
        Assert.Equal(_groq.Url + "/v1", Header(response, "x-litellm-model-api-base"));
        Assert.Single(_openAi.Requests);
        Assert.Single(_anthropic.Requests);
        Assert.Single(_groq.Requests);
    }

    [Fact]
    public async Task TutorialChainAnswered_SpendRowNamesTheGroupThatAnswered()
    {
        _groq.RespondJson(Completion("OK"));
        await using var gateway = await StartTutorial();

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", TutorialRequest);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = response.Headers.GetValues("x-litellm-call-id").Single();
        var row = (await gateway.GetAdminAsync($"/spend/logs?request_id={id}"))[0];

        // LiteLLM logs a fallback (a new router call) under the fallback's own group.
        Assert.Equal("llama-groq", row.GetProperty("model_group").GetString());
        Assert.Equal("llama-3.3-70b-versatile", row.GetProperty("model").GetString());
        Assert.Equal(Header(response, "x-litellm-model-id"), row.GetProperty("model_id").GetString());
    }

    [Fact]
    public async Task TutorialChainStreaming_StreamsFromLlamaGroq()
    {
        _groq.RespondStream(Stream("OK"));
        await using var gateway = await StartTutorial();

        using var response = await gateway.PostStreamAsync("/v1/chat/completions",
            """{"model":"gpt-5.2","stream":true,"messages":[{"role":"user","content":"Reply with OK only."}]}""");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("OK", Sse.Text(body));
        Assert.All(Sse.Chunks(body), c => Assert.Equal("llama-groq", c.GetProperty("model").GetString()));
        Assert.Equal("llama-groq", Header(response, "x-litellm-model-group"));
        Assert.Equal("2", Header(response, "x-litellm-attempted-fallbacks"));
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TutorialChainAllFail_FirstGroupsErrorWithItsHeaders()
    {
        _groq.RespondJson(Error("Service Unavailable", "server_error"), 503);
        await using var gateway = await StartTutorial();

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", TutorialRequest.Replace("gpt-5.2\",", "gpt-5.2\",\"num_retries\":0,", StringComparison.Ordinal));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
        // LiteLLM's note on the first group's error, nested for each level of the chain.
        Assert.Equal(
            "Incorrect API key provided: sk-your-****-key. You can find your API key at https://platform.openai.com/account/api-keys."
            + ". Received Model Group=gpt-5.2\nAvailable Model Group Fallbacks=['claude-sonnet']\nError doing the fallback: invalid x-api-key"
            + ". Received Model Group=claude-sonnet\nAvailable Model Group Fallbacks=['llama-groq']\nError doing the fallback: Service Unavailable",
            error.GetProperty("message").GetString());
        Assert.Equal("gpt-5.2", Header(response, "x-litellm-model-group"));
        Assert.Equal(_openAi.Url + "/v1", Header(response, "x-litellm-model-api-base"));
        Assert.Equal("2", Header(response, "x-litellm-attempted-fallbacks"));
        Assert.Single(_groq.Requests);
    }

    [Fact]
    public async Task FallbackCycle_EachGroupTriedOnceThenFirstError()
    {
        _openAi.RespondJson(Error("boom a"), 500);
        _groq.RespondJson(Error("boom b"), 502);
        await using var gateway = await TestGateway.StartAsync(
            Deployment("a", _openAi, "dep-a") + "\n" + Deployment("b", _groq, "dep-b"),
            "router_settings:\n  num_retries: 0\n  fallbacks: [{\"a\": [\"b\"]}, {\"b\": [\"a\"]}]");

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat.Replace("front", "a", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("boom a", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("a", Header(response, "x-litellm-model-group"));
        Assert.Equal("dep-a", Header(response, "x-litellm-model-id"));
        Assert.Single(_openAi.Requests);
        Assert.Single(_groq.Requests);
    }

    /// <summary>Groups a (OpenAI fake), b (<paramref name="b"/>), c (Anthropic fake), d (Groq fake); no retries.</summary>
    private Task<TestGateway> StartFour(FakeUpstream b, string router) => TestGateway.StartAsync(
        Deployment("a", _openAi, "dep-a") + "\n" + Deployment("b", b, "dep-b") + "\n"
        + Deployment("c", _anthropic, "dep-c") + "\n" + Deployment("d", _groq, "dep-d"),
        "router_settings:\n  num_retries: 0\n  " + router);

    [Fact]
    public async Task ChainLongerThanMaxFallbacks_StopsAtTheBound()
    {
        _openAi.RespondJson(Error("boom"), 500);
        _anthropic.RespondJson(Error("boom"), 500);
        _groq.RespondJson(Completion("never"));
        await using var gateway = await StartFour(_openAi, "max_fallbacks: 2\n  fallbacks: [{\"a\": [\"b\"]}, {\"b\": [\"c\"]}, {\"c\": [\"d\"]}]");

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat.Replace("front", "a", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(2, _openAi.Requests.Count);
        Assert.Single(_anthropic.Requests);
        Assert.Empty(_groq.Requests);
    }

    [Fact]
    public async Task FallbackGroupWithoutOwnEntry_NextSiblingTried()
    {
        _openAi.RespondJson(Error("boom"), 500);
        _anthropic.RespondJson(Error("boom"), 500);
        _groq.RespondJson(Completion("from d"));
        await using var gateway = await StartFour(_anthropic, "fallbacks: [{\"a\": [\"b\", \"d\"]}, {\"b\": [\"c\"]}]");

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat.Replace("front", "a", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("d", Header(response, "x-litellm-model-group"));
        Assert.Equal("3", Header(response, "x-litellm-attempted-fallbacks"));
        Assert.Equal(2, _anthropic.Requests.Count);
    }
}
