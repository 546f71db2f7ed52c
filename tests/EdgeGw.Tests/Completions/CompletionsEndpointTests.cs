using System.Net;
using System.Text;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;
using static EdgeGw.Tests.Providers.Anthropic.AnthropicWireFixtures;

namespace EdgeGw.Tests.Completions;

/// <summary>Legacy /v1/completions as the openai SDK's <c>completions.create</c> sees it: passed through or bridged through chat.</summary>
public sealed class CompletionsEndpointTests : IAsyncLifetime
{
    private FakeUpstream _openai = null!;
    private FakeUpstream _anthropic = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _openai = await FakeUpstream.StartAsync();
        _anthropic = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync($"""
            - model_name: instruct
              litellm_params:
                model: openai/gpt-3.5-turbo-instruct
                api_base: {_openai.Url}/v1
                api_key: sk-up
            - model_name: vllm
              litellm_params:
                model: openai/qwen-coder
                api_base: {_openai.Url}/v1
            - model_name: gpt
              litellm_params:
                model: azure/gpt-4o
                api_base: {_openai.Url}
                api_version: "2024-10-21"
                api_key: sk-up
            - model_name: instruct-azure
              litellm_params:
                model: azure/gpt-35-turbo-instruct
                api_base: {_openai.Url}
                api_version: "2024-10-21"
                api_key: sk-up
            - model_name: claude
              litellm_params:
                model: anthropic/claude-sonnet-4-5-20250929
                api_base: {_anthropic.Url}
                api_key: sk-ant-up
            - model_name: mock
              litellm_params:
                model: mock/m
                mock_response: "Hi there friend"
            """, "router_settings:\n  num_retries: 0\n");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _openai.DisposeAsync();
        await _anthropic.DisposeAsync();
    }

    private async Task<HttpResponseMessage> PostAsync(string json, string path = "/v1/completions")
    {
        using var client = new HttpClient { BaseAddress = _gateway.BaseAddress };
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("Authorization", "Bearer " + TestGateway.MasterKey);
        return await client.SendAsync(request);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement;
    }

    private static string StreamedText(string body) => string.Concat(Sse.Chunks(body)
        .Where(c => c.GetProperty("choices").GetArrayLength() > 0)
        .Select(c => c.GetProperty("choices")[0].GetProperty("text").GetString()));

    private const string TextCompletion = """
        {"id":"cmpl-up1","object":"text_completion","created":1,"model":"gpt-3.5-turbo-instruct","choices":[{"text":" world","index":0,"logprobs":null,"finish_reason":"length"}],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}
        """;

    [Fact]
    public async Task InstructModelOnOpenAi_PassesThroughWithModelIdAndClientName()
    {
        _openai.RespondJson(TextCompletion);

        var answer = await JsonAsync(await PostAsync("""{"model":"instruct","prompt":"Hello","suffix":"!","max_tokens":2,"echo":true,"logprobs":1}"""));

        Assert.Equal("/v1/completions", _openai.LastRequest.PathAndQuery);
        var sent = _openai.LastRequest.Json().RootElement;
        Assert.Equal("gpt-3.5-turbo-instruct", sent.GetProperty("model").GetString());
        Assert.Equal("!", sent.GetProperty("suffix").GetString());
        Assert.True(sent.GetProperty("echo").GetBoolean());
        Assert.Equal("instruct", answer.GetProperty("model").GetString());
        Assert.Equal(" world", answer.GetProperty("choices")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task InstructModelOnAzure_GoesToTheDeploymentsCompletionsPath()
    {
        _openai.RespondJson(TextCompletion);

        var answer = await JsonAsync(await PostAsync("""{"model":"instruct-azure","prompt":"Hello"}"""));

        Assert.Equal("/openai/deployments/gpt-35-turbo-instruct/completions?api-version=2024-10-21", _openai.LastRequest.PathAndQuery);
        Assert.Equal("instruct-azure", answer.GetProperty("model").GetString());
    }

    [Fact]
    public async Task StreamOnSelfHostedServer_IsRelayedAndBilledFromItsUsage()
    {
        _openai.RespondStream(
        [
            """data: {"id":"cmpl-1","object":"text_completion","created":1,"model":"qwen-coder","choices":[{"text":"def ","index":0,"logprobs":null,"finish_reason":null}]}""" + "\n\n",
            """data: {"id":"cmpl-1","object":"text_completion","created":1,"model":"qwen-coder","choices":[{"text":"f():","index":0,"logprobs":null,"finish_reason":"stop"}]}""" + "\n\n",
            """data: {"id":"cmpl-1","object":"text_completion","created":1,"model":"qwen-coder","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}}""" + "\n\n",
            "data: [DONE]\n\n",
        ]);

        using var response = await PostAsync("""{"model":"vllm","prompt":["def"],"suffix":"\n","stream":true}""");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/v1/completions", _openai.LastRequest.PathAndQuery);
        Assert.True(_openai.LastRequest.Json().RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.Equal("def f():", StreamedText(body));
        Assert.All(Sse.Chunks(body), c => Assert.Equal("vllm", c.GetProperty("model").GetString()));
        Assert.DoesNotContain(Sse.Chunks(body), c => c.TryGetProperty("usage", out _)); // asked for by the gateway, not the client
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);

        var row = (await _gateway.GetAdminAsync($"/spend/logs?request_id={response.Headers.GetValues("x-litellm-call-id").Single()}"))[0];
        Assert.Equal("atext_completion", row.GetProperty("call_type").GetString());
        Assert.Equal(13, row.GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task ChatModelOnAzure_IsBridgedThroughChatAsOneUserMessage()
    {
        _openai.RespondJson("""
            {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Paris \"FR\""},"finish_reason":"stop"}],"usage":{"prompt_tokens":8,"completion_tokens":3,"total_tokens":11}}
            """);

        var answer = await JsonAsync(await PostAsync("""{"model":"gpt","prompt":"Capital of France?","max_tokens":20,"temperature":0.2,"stop":["\n"],"user":"u1"}""", "/completions"));

        Assert.Equal("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21", _openai.LastRequest.PathAndQuery);
        var sent = _openai.LastRequest.Json().RootElement;
        Assert.False(sent.TryGetProperty("prompt", out _));
        var message = Assert.Single(sent.GetProperty("messages").EnumerateArray());
        Assert.Equal("user", message.GetProperty("role").GetString());
        Assert.Equal("Capital of France?", message.GetProperty("content").GetString());
        Assert.Equal(20, sent.GetProperty("max_tokens").GetInt32());
        Assert.Equal("\n", sent.GetProperty("stop")[0].GetString());

        Assert.Equal("text_completion", answer.GetProperty("object").GetString());
        Assert.StartsWith("cmpl-", answer.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("gpt", answer.GetProperty("model").GetString());
        Assert.Equal(1700000000, answer.GetProperty("created").GetInt64());
        var choice = answer.GetProperty("choices")[0];
        Assert.Equal("Paris \"FR\"", choice.GetProperty("text").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("logprobs").ValueKind);
        Assert.Equal(11, answer.GetProperty("usage").GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task AnthropicModel_AnswersTextCompletion()
    {
        _anthropic.RespondJson(TextMessage("Bonjour", "max_tokens"));

        var answer = await JsonAsync(await PostAsync("""{"model":"claude","prompt":["Say hi in French"],"max_tokens":5}"""));

        var sent = _anthropic.LastRequest.Json().RootElement;
        Assert.Equal("user", sent.GetProperty("messages")[0].GetProperty("role").GetString());
        Assert.Contains("Say hi in French", sent.GetProperty("messages")[0].GetProperty("content").GetRawText(), StringComparison.Ordinal);
        Assert.Equal(5, sent.GetProperty("max_tokens").GetInt32());
        Assert.Equal("text_completion", answer.GetProperty("object").GetString());
        Assert.Equal("Bonjour", answer.GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Equal("length", answer.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(9, answer.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task AnthropicModelStreamed_SendsTextCompletionChunksThenDone()
    {
        _anthropic.RespondStream(TextStream("Bon", "jour \"x\""));

        using var response = await PostAsync("""{"model":"claude","prompt":"Say hi","max_tokens":5,"stream":true,"stream_options":{"include_usage":true}}""");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var chunks = Sse.Chunks(body);
        Assert.All(chunks, c => Assert.Equal("text_completion", c.GetProperty("object").GetString()));
        Assert.Equal("Bonjour \"x\"", StreamedText(body));
        Assert.Contains(chunks, c => c.GetProperty("choices").GetArrayLength() > 0
            && c.GetProperty("choices")[0].GetProperty("finish_reason").GetString() == "stop");
        Assert.Equal(12, chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MockModel_StreamedAndNot_AnswerTheSameText()
    {
        var whole = await JsonAsync(await PostAsync("""{"model":"mock","prompt":"x"}"""));
        using var streamed = await PostAsync("""{"model":"mock","prompt":"x","stream":true}""");
        var body = await streamed.Content.ReadAsStringAsync();

        Assert.Equal("Hi there friend", whole.GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Equal("Hi there friend", StreamedText(body));
        var row = (await _gateway.GetAdminAsync($"/spend/logs?request_id={streamed.Headers.GetValues("x-litellm-call-id").Single()}"))[0];
        Assert.Equal("atext_completion", row.GetProperty("call_type").GetString());
    }

    [Theory]
    [InlineData("""{"model":"claude","prompt":"x","suffix":"y"}""", "suffix")]
    [InlineData("""{"model":"claude","prompt":"x","echo":true,"logprobs":2}""", "echo")]
    [InlineData("""{"model":"mock","prompt":"x","best_of":3}""", "best_of")]
    [InlineData("""{"model":"mock","prompt":["a","b"]}""", "prompt")]
    [InlineData("""{"model":"mock","prompt":[1,2,3]}""", "prompt")]
    [InlineData("""{"model":"mock","max_tokens":3}""", "prompt")]
    [InlineData("""{"prompt":"x"}""", "model")]
    public async Task BridgedModelWithUnsupportedInput_Returns400NamingIt(string body, string param)
    {
        using var response = await PostAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await JsonAsync400(response)).GetProperty("error");
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Contains(param, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(_anthropic.Requests);
    }

    private static async Task<JsonElement> JsonAsync400(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
}
