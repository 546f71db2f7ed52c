using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Responses;

/// <summary>
/// /v1/responses on providers without a Responses API (mock/, anthropic/, gemini/, ollama/): the
/// request bridged through the canonical chat request, the answer a Response object the OpenAI
/// SDK's Responses client parses.
/// </summary>
public sealed class ResponsesBridgeTests : IAsyncLifetime
{
    private FakeUpstream _anthropic = null!;
    private FakeUpstream _gemini = null!;
    private FakeUpstream _ollama = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _anthropic = await FakeUpstream.StartAsync();
        _gemini = await FakeUpstream.StartAsync();
        _ollama = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync($"""
            - model_name: mock-gpt
              litellm_params:
                model: mock/mock-gpt
                mock_response: "Hello from mock"
            - model_name: claude
              litellm_params:
                model: anthropic/claude-sonnet-4-5
                api_base: {_anthropic.Url}
                api_key: sk-ant-upstream
            - model_name: gem
              litellm_params:
                model: gemini/gemini-2.5-flash
                api_base: {_gemini.Url}
                api_key: AIza-upstream
            - model_name: llama
              litellm_params:
                model: ollama_chat/llama3
                api_base: {_ollama.Url}
            """, "router_settings:\n  num_retries: 0\n");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _anthropic.DisposeAsync();
        await _gemini.DisposeAsync();
        await _ollama.DisposeAsync();
    }

    private const string AnthropicText = """
        {"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Hi there"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":4}}
        """;

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string json)
    {
        using var response = await _gateway.PostJsonAsync("/v1/responses", json);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static string OutputText(JsonElement response) => string.Concat(response.GetProperty("output").EnumerateArray()
        .Where(i => i.GetProperty("type").GetString() == "message")
        .SelectMany(i => i.GetProperty("content").EnumerateArray())
        .Where(c => c.GetProperty("type").GetString() == "output_text")
        .Select(c => c.GetProperty("text").GetString()));

    [Fact]
    public async Task MockStringInput_AnswersCompletedResponseWithOutputText()
    {
        var (status, response) = await PostAsync("""{"model":"mock-gpt","input":"Say hi"}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("resp_", response.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("response", response.GetProperty("object").GetString());
        Assert.Equal("completed", response.GetProperty("status").GetString());
        Assert.Equal("mock-gpt", response.GetProperty("model").GetString());
        Assert.Equal("Hello from mock", OutputText(response));
        var message = response.GetProperty("output")[0];
        Assert.Equal("assistant", message.GetProperty("role").GetString());
        Assert.StartsWith("msg_", message.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, message.GetProperty("content")[0].GetProperty("annotations").GetArrayLength());
        var usage = response.GetProperty("usage");
        Assert.Equal(3, usage.GetProperty("output_tokens").GetInt32());
        Assert.Equal(usage.GetProperty("input_tokens").GetInt32() + 3, usage.GetProperty("total_tokens").GetInt32());
        Assert.Equal(0, usage.GetProperty("input_tokens_details").GetProperty("cached_tokens").GetInt32());
        Assert.Equal(0, usage.GetProperty("output_tokens_details").GetProperty("reasoning_tokens").GetInt32());
        // The request's settings are echoed with OpenAI's defaults.
        Assert.Equal(JsonValueKind.Null, response.GetProperty("previous_response_id").ValueKind);
        Assert.Equal(0, response.GetProperty("tools").GetArrayLength());
        Assert.Equal("auto", response.GetProperty("tool_choice").GetString());
        Assert.True(response.GetProperty("store").GetBoolean());
        Assert.Equal("text", response.GetProperty("text").GetProperty("format").GetProperty("type").GetString());
    }

    [Fact]
    public async Task MockItemListInputOnUnprefixedPath_AnswersWithEchoedSettings()
    {
        using var http = await _gateway.PostJsonAsync("/responses",
            """{"model":"mock-gpt","input":[{"role":"user","content":[{"type":"input_text","text":"Hi"}]}],"temperature":0.2,"max_output_tokens":50,"metadata":{"k":"v"},"store":false}""");
        var response = JsonDocument.Parse(await http.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, http.StatusCode);
        Assert.Equal("Hello from mock", OutputText(response));
        Assert.Equal(0.2, response.GetProperty("temperature").GetDouble());
        Assert.Equal(50, response.GetProperty("max_output_tokens").GetInt32());
        Assert.Equal("v", response.GetProperty("metadata").GetProperty("k").GetString());
        Assert.False(response.GetProperty("store").GetBoolean());
    }

    [Fact]
    public async Task AnthropicItemListWithInstructions_UpstreamGetsSystemAndTurns()
    {
        _anthropic.RespondJson(AnthropicText);

        var (status, response) = await PostAsync("""
            {"model":"claude","instructions":"Be brief.","max_output_tokens":300,"temperature":0.3,
             "input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"Hello"}]},
                      {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Hi!","annotations":[]}]},
                      {"role":"developer","content":"Answer in English."},
                      {"role":"user","content":"How are you?"}]}
            """);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Hi there", OutputText(response));
        Assert.Equal("Be brief.", response.GetProperty("instructions").GetString());
        using var sent = _anthropic.LastRequest.Json();
        var root = sent.RootElement;
        Assert.Equal("claude-sonnet-4-5", root.GetProperty("model").GetString());
        Assert.Equal(300, root.GetProperty("max_tokens").GetInt32());
        Assert.Contains("Be brief.", root.GetProperty("system").ToString(), StringComparison.Ordinal);
        var messages = root.GetProperty("messages");
        Assert.Equal("user", messages[0].GetProperty("role").GetString());
        Assert.Contains("Hello", messages[0].GetProperty("content").ToString(), StringComparison.Ordinal);
        Assert.Equal("assistant", messages[1].GetProperty("role").GetString());
        Assert.Contains("How are you?", messages[messages.GetArrayLength() - 1].GetProperty("content").ToString(), StringComparison.Ordinal);
        Assert.Equal(12, response.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        Assert.Equal(4, response.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task AnthropicToolUse_IsFunctionCallOutputItem()
    {
        _anthropic.RespondJson("""
            {"id":"msg_02","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"tool_use","id":"toolu_01","name":"get_weather","input":{"city":"Oslo"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":30,"output_tokens":9}}
            """);

        var (status, response) = await PostAsync("""
            {"model":"claude","input":"Weather in Oslo?","tool_choice":{"type":"function","name":"get_weather"},
             "tools":[{"type":"function","name":"get_weather","description":"Current weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"strict":true}]}
            """);

        Assert.Equal(HttpStatusCode.OK, status);
        var call = Assert.Single(response.GetProperty("output").EnumerateArray());
        Assert.Equal("function_call", call.GetProperty("type").GetString());
        Assert.Equal("toolu_01", call.GetProperty("call_id").GetString());
        Assert.Equal("get_weather", call.GetProperty("name").GetString());
        Assert.Equal("Oslo", JsonDocument.Parse(call.GetProperty("arguments").GetString()!).RootElement.GetProperty("city").GetString());
        Assert.StartsWith("fc_", call.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("completed", call.GetProperty("status").GetString());
        Assert.Equal("get_weather", response.GetProperty("tools")[0].GetProperty("name").GetString());
        using var sent = _anthropic.LastRequest.Json();
        var tool = sent.RootElement.GetProperty("tools")[0];
        Assert.Equal("get_weather", tool.GetProperty("name").GetString());
        Assert.Equal("Current weather", tool.GetProperty("description").GetString());
        Assert.Equal("object", tool.GetProperty("input_schema").GetProperty("type").GetString());
        Assert.Equal("get_weather", sent.RootElement.GetProperty("tool_choice").GetProperty("name").GetString());
    }

    [Fact]
    public async Task FunctionCallOutputRoundTrip_ReachesAnthropicAsToolUseAndToolResult()
    {
        _anthropic.RespondJson(AnthropicText);

        var (status, response) = await PostAsync("""
            {"model":"claude","tools":[{"type":"function","name":"get_weather","parameters":{"type":"object"}}],
             "input":[{"role":"user","content":"Weather in Oslo?"},
                      {"type":"function_call","id":"fc_1","call_id":"toolu_01","name":"get_weather","arguments":"{\"city\":\"Oslo\"}","status":"completed"},
                      {"type":"function_call_output","call_id":"toolu_01","output":"12 degrees"}]}
            """);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Hi there", OutputText(response));
        using var sent = _anthropic.LastRequest.Json();
        var messages = sent.RootElement.GetProperty("messages");
        var toolUse = messages[1].GetProperty("content").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "tool_use");
        Assert.Equal("toolu_01", toolUse.GetProperty("id").GetString());
        Assert.Equal("Oslo", toolUse.GetProperty("input").GetProperty("city").GetString());
        var result = messages[2].GetProperty("content").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "tool_result");
        Assert.Equal("toolu_01", result.GetProperty("tool_use_id").GetString());
        Assert.Contains("12 degrees", result.GetProperty("content").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnthropicMaxTokensStop_IsIncompleteWithReason()
    {
        _anthropic.RespondJson("""
            {"id":"msg_03","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Once upon"}],"stop_reason":"max_tokens","stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":2}}
            """);

        var (status, response) = await PostAsync("""{"model":"claude","input":"Tell a story","max_output_tokens":2}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("incomplete", response.GetProperty("status").GetString());
        Assert.Equal("max_output_tokens", response.GetProperty("incomplete_details").GetProperty("reason").GetString());
        Assert.Equal("Once upon", OutputText(response));
    }

    [Fact]
    public async Task BuiltInToolOnBridgedDeployment_400NamingTheTool()
    {
        var (status, response) = await PostAsync("""{"model":"claude","input":"news?","tools":[{"type":"web_search_preview"},{"type":"function","name":"f"}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = response.GetProperty("error");
        Assert.Contains("web_search_preview", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("tools", error.GetProperty("param").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Empty(_anthropic.Requests);
    }

    [Theory]
    [InlineData("""{"model":"claude","input":[{"role":"robot","content":"hi"}]}""", "input[0].role")]
    [InlineData("""{"model":"claude","input":42}""", "input")]
    [InlineData("""{"model":"claude"}""", "input")]
    [InlineData("""{"model":"claude","input":[{"role":"user","content":[{"type":"input_image","file_id":"file-1"}]}]}""", "input[0].content[0].file_id")]
    [InlineData("""{"model":"claude","input":[{"type":"function_call","name":"f","arguments":"{}"}]}""", "input[0].call_id")]
    [InlineData("""{"model":"claude","input":"hi","text":{"format":{"type":"yaml"}}}""", "text.format.type")]
    [InlineData("""{"model":"claude","input":"hi","max_output_tokens":-3}""", "max_output_tokens")]
    [InlineData("""{"model":"claude","input":"hi","tool_choice":"sometimes"}""", "tool_choice")]
    [InlineData("""{"input":"hi"}""", "model")]
    public async Task BadInput_400NamingTheFieldInOpenAiEnvelope(string body, string param)
    {
        var (status, response) = await PostAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = response.GetProperty("error");
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.True(error.TryGetProperty("code", out _));
        Assert.Empty(_anthropic.Requests);
    }

    [Fact]
    public async Task UnknownModel_400InOpenAiEnvelope()
    {
        var (status, response) = await PostAsync("""{"model":"nope","input":"hi"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("model", response.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task AnthropicRateLimited_429InOpenAiEnvelope()
    {
        _anthropic.RespondJson("""{"type":"error","error":{"type":"rate_limit_error","message":"Slow down"}}""", 429);

        var (status, response) = await PostAsync("""{"model":"claude","input":"hi"}""");

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        var error = response.GetProperty("error");
        Assert.Contains("Slow down", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(error.TryGetProperty("type", out _));
    }

    [Fact]
    public async Task GeminiJsonSchemaTextFormat_ReachesUpstreamAsResponseSchema()
    {
        _gemini.RespondJson("""
            {"candidates":[{"content":{"role":"model","parts":[{"text":"{\"city\":\"Oslo\"}"}]},"finishReason":"STOP","index":0}],
             "usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":8,"totalTokenCount":28},"modelVersion":"gemini-2.5-flash","responseId":"r1"}
            """);

        var (status, response) = await PostAsync("""
            {"model":"gem","input":"Where?","text":{"format":{"type":"json_schema","name":"place","strict":true,"schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}}}}
            """);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("{\"city\":\"Oslo\"}", OutputText(response));
        Assert.Equal("json_schema", response.GetProperty("text").GetProperty("format").GetProperty("type").GetString());
        using var sent = _gemini.LastRequest.Json();
        var config = sent.RootElement.GetProperty("generationConfig");
        Assert.Equal("application/json", config.GetProperty("responseMimeType").GetString());
        Assert.Contains("city", config.ToString(), StringComparison.Ordinal);
        Assert.Equal(20, response.GetProperty("usage").GetProperty("input_tokens").GetInt32());
    }

    [Fact]
    public async Task GeminiStringInputWithReasoningEffort_AnswersText()
    {
        _gemini.RespondJson("""
            {"candidates":[{"content":{"role":"model","parts":[{"text":"Hello!"}]},"finishReason":"STOP","index":0}],
             "usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2,"totalTokenCount":5},"modelVersion":"gemini-2.5-flash","responseId":"r2"}
            """);

        var (status, response) = await PostAsync("""{"model":"gem","input":"Hi","reasoning":{"effort":"low"}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Hello!", OutputText(response));
        Assert.Equal("low", response.GetProperty("reasoning").GetProperty("effort").GetString());
        using var sent = _gemini.LastRequest.Json();
        Assert.Contains("Hi", sent.RootElement.GetProperty("contents")[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OllamaStringInput_AnswersText()
    {
        _ollama.RespondJson("""
            {"model":"llama3","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"Hey"},"done":true,"done_reason":"stop","prompt_eval_count":6,"eval_count":2}
            """);

        var (status, response) = await PostAsync("""{"model":"llama","input":"Hi"}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Hey", OutputText(response));
        Assert.Equal(6, response.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        Assert.Equal("/api/chat", _ollama.LastRequest.PathAndQuery);
    }

    [Fact]
    public async Task EmptyAnswer_StillHasOneMessageItem()
    {
        _anthropic.RespondJson("""
            {"id":"msg_04","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":0}}
            """);

        var (status, response) = await PostAsync("""{"model":"claude","input":"..."}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var message = Assert.Single(response.GetProperty("output").EnumerateArray());
        Assert.Equal("message", message.GetProperty("type").GetString());
        Assert.Equal("", OutputText(response));
    }
}
