using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Messages;

/// <summary>/v1/messages served by OpenAI-format deployments (and the mock), seen as an Anthropic SDK would.</summary>
public sealed class MessagesEndpointTests : IAsyncLifetime
{
    private FakeUpstream _upstream = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync($"""
            - model_name: gpt-as-claude
              litellm_params:
                model: openai/gpt-4o
                api_base: {_upstream.Url}/v1
                api_key: sk-up
            - model_name: mock
              litellm_params:
                model: mock/m
                mock_response: "Hi there friend"
            """, "router_settings:\n  num_retries: 0\n");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private async Task<HttpResponseMessage> PostAsync(string json, string? apiKey = TestGateway.MasterKey)
    {
        using var client = new HttpClient { BaseAddress = _gateway.BaseAddress };
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (apiKey is not null)
            request.Headers.Add("x-api-key", apiKey);
        request.Headers.Add("anthropic-version", "2023-06-01");
        return await client.SendAsync(request);
    }

    private const string Completion = """
        {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Sunny \"and\" warm 😀","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":50,"completion_tokens":12,"total_tokens":62,"prompt_tokens_details":{"cached_tokens":20}}}
        """;

    [Fact]
    public async Task NonStreaming_AnswersInAnthropicMessageShape()
    {
        _upstream.RespondJson(Completion);

        using var response = await PostAsync("""{"model":"gpt-as-claude","max_tokens":100,"messages":[{"role":"user","content":"Weather?"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("message", message.GetProperty("type").GetString());
        Assert.Equal("assistant", message.GetProperty("role").GetString());
        Assert.Equal("gpt-as-claude", message.GetProperty("model").GetString());
        var content = message.GetProperty("content");
        Assert.Equal("Sunny \"and\" warm 😀", content[0].GetProperty("text").GetString());
        Assert.Equal("tool_use", content[1].GetProperty("type").GetString());
        Assert.Equal("call_1", content[1].GetProperty("id").GetString());
        Assert.Equal("Paris", content[1].GetProperty("input").GetProperty("city").GetString());
        Assert.Equal("tool_use", message.GetProperty("stop_reason").GetString());
        var usage = message.GetProperty("usage");
        Assert.Equal(30, usage.GetProperty("input_tokens").GetInt32());
        Assert.Equal(20, usage.GetProperty("cache_read_input_tokens").GetInt32());
        Assert.Equal(12, usage.GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task AnthropicRequest_IsTranslatedForOpenAiUpstream()
    {
        _upstream.RespondJson(Completion);

        using var response = await PostAsync("""
            {"model":"gpt-as-claude","max_tokens":256,"system":[{"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral"}}],
             "temperature":0.5,"top_k":5,"stop_sequences":["END"],"metadata":{"user_id":"u-42"},
             "tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}],
             "tool_choice":{"type":"any","disable_parallel_tool_use":true},
             "messages":[
               {"role":"user","content":"Weather in Paris?"},
               {"role":"assistant","content":[{"type":"text","text":"Checking."},{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}]},
               {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"18C"},{"type":"text","text":"And tomorrow?"},
                 {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]}]}
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = _upstream.LastRequest.Json().RootElement;
        Assert.Equal("gpt-4o", sent.GetProperty("model").GetString());
        Assert.Equal(256, sent.GetProperty("max_tokens").GetInt32());
        Assert.Equal(0.5, sent.GetProperty("temperature").GetDouble());
        Assert.False(sent.TryGetProperty("top_k", out _)); // OpenAI has no top_k
        Assert.Equal("END", sent.GetProperty("stop")[0].GetString());
        Assert.Equal("u-42", sent.GetProperty("user").GetString());
        Assert.Equal("required", sent.GetProperty("tool_choice").GetString());
        Assert.False(sent.GetProperty("parallel_tool_calls").GetBoolean());
        Assert.Equal("get_weather", sent.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString());
        var messages = sent.GetProperty("messages");
        Assert.Equal(["system", "user", "assistant", "tool", "user"], messages.EnumerateArray().Select(m => m.GetProperty("role").GetString()!));
        Assert.Equal("Be brief.", messages[0].GetProperty("content").GetString());
        var call = messages[2].GetProperty("tool_calls")[0];
        Assert.Equal("toolu_1", call.GetProperty("id").GetString());
        Assert.Equal("Paris", JsonDocument.Parse(call.GetProperty("function").GetProperty("arguments").GetString()!).RootElement.GetProperty("city").GetString());
        Assert.Equal("toolu_1", messages[3].GetProperty("tool_call_id").GetString());
        Assert.Equal("18C", messages[3].GetProperty("content").GetString());
        Assert.Equal("data:image/png;base64,iVBORw0KGgo=", messages[4].GetProperty("content")[1].GetProperty("image_url").GetProperty("url").GetString());
    }

    [Fact]
    public async Task Streaming_FollowsAnthropicEventSequence()
    {
        _upstream.RespondStream([
            "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"finish_reason\":null}]}\n\n",
            "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\\n</script>\"},\"finish_reason\":null}]}\n\n",
            "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
            "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11}}\n\n",
            "data: [DONE]\n\n"]);

        using var response = await PostAsync("""{"model":"gpt-as-claude","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"Hi"}]}""");

        Assert.StartsWith("text/event-stream", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var events = OpenAiToAnthropicStreamTests.AssertAnthropicGrammar(await response.Content.ReadAsStringAsync());
        Assert.Equal("gpt-as-claude", events[0].Json.GetProperty("message").GetProperty("model").GetString());
        Assert.Equal("Hello\n</script>", string.Concat(events.Where(e => e.Name == "content_block_delta").Select(e => e.Json.GetProperty("delta").GetProperty("text").GetString())));
        Assert.Equal(2, events[^2].Json.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        Assert.True(_upstream.LastRequest.Json().RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
    }

    [Fact]
    public async Task MockModel_StreamsInAnthropicFormat()
    {
        using var response = await PostAsync("""{"model":"mock","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"Hi"}]}""");

        var events = OpenAiToAnthropicStreamTests.AssertAnthropicGrammar(await response.Content.ReadAsStringAsync());
        Assert.Equal("Hi there friend", string.Concat(events.Where(e => e.Name == "content_block_delta").Select(e => e.Json.GetProperty("delta").GetProperty("text").GetString())));
        Assert.Equal("end_turn", events[^2].Json.GetProperty("delta").GetProperty("stop_reason").GetString());
    }

    [Fact]
    public async Task BearerKey_IsAcceptedToo()
    {
        using var client = new HttpClient { BaseAddress = _gateway.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestGateway.MasterKey);
        using var response = await client.PostAsync("/v1/messages", new StringContent("""{"model":"mock","max_tokens":10,"messages":[{"role":"user","content":"Hi"}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Hi there friend", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Theory]
    [InlineData(null, """{"model":"mock","max_tokens":10,"messages":[{"role":"user","content":"Hi"}]}""", 401, "authentication_error")]
    [InlineData("sk-wrong", """{"model":"mock","max_tokens":10,"messages":[{"role":"user","content":"Hi"}]}""", 401, "authentication_error")]
    [InlineData(TestGateway.MasterKey, """{"model":"nope","max_tokens":10,"messages":[{"role":"user","content":"Hi"}]}""", 400, "invalid_request_error")]
    [InlineData(TestGateway.MasterKey, """{"model":"mock","messages":[{"role":"user","content":"Hi"}]}""", 400, "invalid_request_error")]
    [InlineData(TestGateway.MasterKey, """{"model":"mock","max_tokens":10,"messages":[{"role":"system","content":"Hi"}]}""", 400, "invalid_request_error")]
    [InlineData(TestGateway.MasterKey, """{"model":"mock","max_tokens":10,"messages":[{"role":"user","content":[{"text":"no type"}]}]}""", 400, "invalid_request_error")]
    [InlineData(TestGateway.MasterKey, """{"model":"mock",""", 400, "invalid_request_error")]
    public async Task Failure_IsInAnthropicEnvelope(string? key, string body, int status, string type)
    {
        using var response = await PostAsync(body, key);

        Assert.Equal(status, (int)response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("error", json.GetProperty("type").GetString());
        Assert.Equal(type, json.GetProperty("error").GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("error").GetProperty("message").GetString()));
    }

    [Fact]
    public async Task UpstreamRateLimit_BecomesAnthropicRateLimitError()
    {
        _upstream.RespondJson("""{"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}}""", 429, new Dictionary<string, string> { ["retry-after"] = "3" });

        using var response = await PostAsync("""{"model":"gpt-as-claude","max_tokens":10,"messages":[{"role":"user","content":"Hi"}]}""");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("3", response.Headers.RetryAfter!.ToString());
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("rate_limit_error", error.GetProperty("type").GetString());
        Assert.Equal("slow down", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task StreamCutMidway_ClientGetsErrorEvent()
    {
        _upstream.RespondStream(["data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"finish_reason\":null}]}\n\n"]);

        using var response = await PostAsync("""{"model":"gpt-as-claude","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"Hi"}]}""");

        var last = Sse.Parse(await response.Content.ReadAsStringAsync())[^1];
        Assert.Equal("error", last.Name);
        Assert.Equal("error", last.Json.GetProperty("type").GetString());
    }

    [Fact]
    public async Task CountTokens_ReturnsDocumentedEstimate()
    {
        using var client = new HttpClient { BaseAddress = _gateway.BaseAddress };
        client.DefaultRequestHeaders.Add("x-api-key", TestGateway.MasterKey);
        var body = """{"model":"mock","messages":[{"role":"user","content":"Hello, world"}]}""";
        using var response = await client.PostAsync("/v1/messages/count_tokens", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var messagesBytes = """[{"role":"user","content":"Hello, world"}]""".Length;
        Assert.Equal((messagesBytes + 3) / 4, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("input_tokens").GetInt32());
    }

    private async Task<HttpResponseMessage> CountTokensAsync(string key, string model)
    {
        using var client = new HttpClient { BaseAddress = _gateway.BaseAddress };
        client.DefaultRequestHeaders.Add("x-api-key", key);
        var body = $$"""{"model":"{{model}}","messages":[{"role":"user","content":"Hello"}]}""";
        return await client.PostAsync("/v1/messages/count_tokens", new StringContent(body, Encoding.UTF8, "application/json"));
    }

    [Fact]
    public async Task CountTokens_KeyLimitedToOneModel_IsRefusedForAnother()
    {
        var key = await _gateway.NewKeyAsync("""{"models":["mock"]}""");

        using var allowed = await CountTokensAsync(key, "mock");
        using var refused = await CountTokensAsync(key, "gpt-as-claude");

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var json = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("error", json.GetProperty("type").GetString());
        Assert.Equal("key not allowed to access model. This key can only access models=['mock']. Tried to access gpt-as-claude",
            json.GetProperty("error").GetProperty("message").GetString());
        Assert.Empty(_upstream.Requests);
    }

    [Fact]
    public async Task CountTokens_KeyOverBudget_IsRefusedWithBudgetExceeded()
    {
        var key = await _gateway.NewKeyAsync("""{"max_budget":0}""");

        using var refused = await CountTokensAsync(key, "mock");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var json = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("error", json.GetProperty("type").GetString());
        Assert.StartsWith("Budget has been exceeded!", json.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CountTokens_KeyWithRpmOne_SecondCallIsRateLimitedInAnthropicEnvelope()
    {
        var key = await _gateway.NewKeyAsync("""{"rpm_limit":1}""");

        using var first = await CountTokensAsync(key, "mock");
        using var second = await CountTokensAsync(key, "mock");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.NotNull(second.Headers.RetryAfter);
        var json = JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("error", json.GetProperty("type").GetString());
        Assert.Equal("rate_limit_error", json.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains("rpm_limit 1", json.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        // Neither the count nor its refusal leaves a spend row: rows are written in order, so one from a later message means none.
        using var message = await PostAsync("""{"model":"mock","max_tokens":10,"messages":[{"role":"user","content":"Hi"}]}""");
        Assert.Equal(HttpStatusCode.OK, message.StatusCode);
        Assert.Equal(1, (await _gateway.GetAdminAsync("/spend/logs")).GetArrayLength());
    }

    [Fact]
    public async Task CountTokens_UsesTheSameRpmAsMessages()
    {
        var key = await _gateway.NewKeyAsync("""{"rpm_limit":1}""");

        using var counted = await CountTokensAsync(key, "mock");
        using var message = await PostAsync("""{"model":"mock","max_tokens":10,"messages":[{"role":"user","content":"Hi"}]}""", key);

        Assert.Equal(HttpStatusCode.OK, counted.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, message.StatusCode);
    }

    [Fact]
    public async Task CountTokens_CostsNothingAndWritesNoSpendRow()
    {
        var key = await _gateway.NewKeyAsync();

        using var counted = await CountTokensAsync(key, "mock");
        using var message = await PostAsync("""{"model":"mock","max_tokens":10,"messages":[{"role":"user","content":"Hi"}]}""", key);

        Assert.Equal(HttpStatusCode.OK, counted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, message.StatusCode);
        // Rows are written in order: the message's row being there means count_tokens left none.
        var rows = await _gateway.GetAdminAsync("/spend/logs");
        Assert.Equal(1, rows.GetArrayLength());
        Assert.Equal(0m, await _gateway.KeySpendAsync(key));
    }
}
