using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Providers.Anthropic;

public sealed class AnthropicRequestTests : AnthropicGatewayTestBase
{
    private static string Raw(JsonElement e) => e.GetRawText();

    [Fact]
    public async Task Request_GoesToMessagesWithAnthropicHeaders()
    {
        await SentBodyAsync("""{"model":"claude","messages":[{"role":"user","content":"hello"}]}""");

        var sent = Upstream.LastRequest;
        Assert.Equal("POST", sent.Method);
        Assert.Equal("/v1/messages", sent.PathAndQuery);
        Assert.Equal(ProviderKey, sent.Headers["x-api-key"]);
        Assert.Equal("2023-06-01", sent.Headers["anthropic-version"]);
        Assert.Equal("fine-grained-tool-streaming-2025-05-14", sent.Headers["anthropic-beta"]);
        Assert.StartsWith("application/json", sent.Headers["content-type"], StringComparison.Ordinal);
        Assert.False(sent.Headers.ContainsKey("authorization"));
        Assert.DoesNotContain(TestGateway.MasterKey, string.Join("\n", sent.Headers.Values), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SimpleRequest_HasModelIdMaxTokensAndStringContent()
    {
        var body = await SentBodyAsync("""{"model":"claude","messages":[{"role":"user","content":"hello"}]}""");

        Assert.Equal("claude-test-1", body.GetProperty("model").GetString());
        Assert.Equal(4096, body.GetProperty("max_tokens").GetInt32());
        Assert.Equal("""[{"role":"user","content":"hello"}]""", Raw(body.GetProperty("messages")));
        Assert.False(body.TryGetProperty("stream", out _));
        Assert.False(body.TryGetProperty("system", out _));
    }

    [Fact]
    public async Task ApiBaseEndingInV1_IsNotDoubledAndDeploymentMaxTokensIsTheDefault()
    {
        var body = await SentBodyAsync("""{"model":"claude-capped","messages":[{"role":"user","content":"hello"}]}""");

        Assert.Equal("/v1/messages", Upstream.LastRequest.PathAndQuery);
        Assert.Equal(1000, body.GetProperty("max_tokens").GetInt32());
    }

    [Theory]
    [InlineData("\"max_tokens\":77", 77)]
    [InlineData("\"max_completion_tokens\":88", 88)]
    [InlineData("\"max_tokens\":77,\"max_completion_tokens\":88", 88)]
    public async Task ClientMaxTokens_IsSent(string field, int expected)
    {
        var body = await SentBodyAsync($$"""{"model":"claude-capped","messages":[{"role":"user","content":"hi"}],{{field}}}""");

        Assert.Equal(expected, body.GetProperty("max_tokens").GetInt32());
    }

    [Fact]
    public async Task OneSystemMessage_BecomesSystemString()
    {
        var body = await SentBodyAsync("""{"model":"claude","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}]}""");

        Assert.Equal("Be brief.", body.GetProperty("system").GetString());
        Assert.Equal(1, body.GetProperty("messages").GetArrayLength());
        Assert.Equal("user", body.GetProperty("messages")[0].GetProperty("role").GetString());
    }

    [Fact]
    public async Task SystemAndDeveloperMessages_BecomeSystemTextBlocksInOrder()
    {
        var body = await SentBodyAsync("""
            {"model":"claude","messages":[
              {"role":"system","content":"Rule one."},
              {"role":"user","content":"hi"},
              {"role":"developer","content":[{"type":"text","text":"Rule two.","cache_control":{"type":"ephemeral"}}]}]}
            """);

        Assert.Equal("""[{"type":"text","text":"Rule one."},{"type":"text","text":"Rule two.","cache_control":{"type":"ephemeral"}}]""",
            Raw(body.GetProperty("system")));
        Assert.Equal("""[{"role":"user","content":"hi"}]""", Raw(body.GetProperty("messages")));
    }

    [Fact]
    public async Task ConsecutiveSameRoleTurns_AreMerged()
    {
        var body = await SentBodyAsync("""
            {"model":"claude","messages":[
              {"role":"user","content":"first"},{"role":"user","content":[{"type":"text","text":"second"}]},
              {"role":"assistant","content":"a1"},{"role":"assistant","content":"a2"},
              {"role":"user","content":"third"}]}
            """);

        Assert.Equal("""
            [{"role":"user","content":[{"type":"text","text":"first"},{"type":"text","text":"second"}]},{"role":"assistant","content":[{"type":"text","text":"a1"},{"type":"text","text":"a2"}]},{"role":"user","content":"third"}]
            """, Raw(body.GetProperty("messages")));
    }

    [Fact]
    public async Task ImageParts_BecomeBase64AndUrlSources()
    {
        var body = await SentBodyAsync("""
            {"model":"claude","messages":[{"role":"user","content":[
              {"type":"text","text":"What is in these?"},
              {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"high"}},
              {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}}]}]}
            """);

        Assert.Equal("""
            [{"type":"text","text":"What is in these?"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},{"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}]
            """, Raw(body.GetProperty("messages")[0].GetProperty("content")));
    }

    [Fact]
    public async Task PdfFilePart_BecomesBase64Document()
    {
        var body = await SentBodyAsync("""
            {"model":"claude","messages":[{"role":"user","content":[
              {"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0xLjQ="}},{"type":"text","text":"Summarise."}]}]}
            """);

        Assert.Equal("""
            [{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0xLjQ="}},{"type":"text","text":"Summarise."}]
            """, Raw(body.GetProperty("messages")[0].GetProperty("content")));
    }

    [Fact]
    public async Task AssistantThinkingBlocks_AreSentBackFirstAndUnchanged()
    {
        var body = await SentBodyAsync("""
            {"model":"claude","messages":[
              {"role":"user","content":"time?"},
              {"role":"assistant","content":"Checking.","thinking_blocks":[{"type":"thinking","thinking":"Use the clock.","signature":"c2ln"}],
               "tool_calls":[{"id":"toolu_01T","type":"function","function":{"name":"now","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"toolu_01T","content":"noon"}],"reasoning_effort":"low"}
            """);

        Assert.Equal("""
            [{"type":"thinking","thinking":"Use the clock.","signature":"c2ln"},{"type":"text","text":"Checking."},{"type":"tool_use","id":"toolu_01T","name":"now","input":{}}]
            """, Raw(body.GetProperty("messages")[1].GetProperty("content")));
    }

    [Fact]
    public async Task Tools_BecomeInputSchemaTools()
    {
        var body = await SentBodyAsync("""
            {"model":"claude","messages":[{"role":"user","content":"weather?"}],
             "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather for a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}},
                      {"type":"function","function":{"name":"now"}}]}
            """);

        Assert.Equal("""
            [{"name":"get_weather","description":"Weather for a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}},{"name":"now","input_schema":{"type":"object","properties":{}}}]
            """, Raw(body.GetProperty("tools")));
        Assert.False(body.TryGetProperty("tool_choice", out _));
    }

    [Theory]
    [InlineData("\"auto\"", "", """{"type":"auto"}""")]
    [InlineData("\"none\"", "", """{"type":"none"}""")]
    [InlineData("\"required\"", "", """{"type":"any"}""")]
    [InlineData("""{"type":"function","function":{"name":"get_weather"}}""", "", """{"type":"tool","name":"get_weather"}""")]
    [InlineData("\"auto\"", ",\"parallel_tool_calls\":false", """{"type":"auto","disable_parallel_tool_use":true}""")]
    [InlineData("\"required\"", ",\"parallel_tool_calls\":false", """{"type":"any","disable_parallel_tool_use":true}""")]
    [InlineData("null", ",\"parallel_tool_calls\":false", """{"type":"auto","disable_parallel_tool_use":true}""")]
    public async Task ToolChoice_IsTranslated(string toolChoice, string extra, string expected)
    {
        var body = await SentBodyAsync("""
            {"model":"claude","messages":[{"role":"user","content":"weather?"}],
             "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{}}}}],
             "tool_choice":
            """ + toolChoice + extra + "}");

        Assert.Equal(expected, Raw(body.GetProperty("tool_choice")));
    }

    [Fact]
    public async Task ToolCallsAndToolResults_BecomeToolUseAndOneUserTurnOfResults()
    {
        var body = await SentBodyAsync("""
            {"model":"claude","messages":[
              {"role":"user","content":"Weather in Paris and Rome?"},
              {"role":"assistant","content":"Checking both.","tool_calls":[
                 {"id":"toolu_01A","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"Paris\"}"}},
                 {"id":"toolu_01B","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Rome\",\"units\":{\"temp\":\"C\"}}"}}]},
              {"role":"tool","tool_call_id":"toolu_01A","content":"18C sunny"},
              {"role":"tool","tool_call_id":"toolu_01B","content":[{"type":"text","text":"22C cloudy"}]},
              {"role":"user","content":"Which is warmer?"}]}
            """);

        var messages = body.GetProperty("messages");
        Assert.Equal(3, messages.GetArrayLength());
        Assert.Equal("""
            {"role":"assistant","content":[{"type":"text","text":"Checking both."},{"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"city":"Paris"}},{"type":"tool_use","id":"toolu_01B","name":"get_weather","input":{"city":"Rome","units":{"temp":"C"}}}]}
            """, Raw(messages[1]));
        Assert.Equal("""
            {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","content":"18C sunny"},{"type":"tool_result","tool_use_id":"toolu_01B","content":[{"type":"text","text":"22C cloudy"}]},{"type":"text","text":"Which is warmer?"}]}
            """, Raw(messages[2]));
    }

    [Fact]
    public async Task AssistantWithOnlyToolCalls_HasNoEmptyTextBlock()
    {
        var body = await SentBodyAsync("""
            {"model":"claude","messages":[
              {"role":"user","content":"time?"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"toolu_01C","type":"function","function":{"name":"now","arguments":""}}]},
              {"role":"tool","tool_call_id":"toolu_01C","content":"noon"}]}
            """);

        Assert.Equal("""[{"type":"tool_use","id":"toolu_01C","name":"now","input":{}}]""",
            Raw(body.GetProperty("messages")[1].GetProperty("content")));
    }

    [Theory]
    [InlineData("\"stop\":\"END\"", """["END"]""")]
    [InlineData("\"stop\":[\"END\",\"\\n\\n\"]", """["END","\n\n"]""")]
    public async Task Stop_BecomesStopSequences(string field, string expected)
    {
        var body = await SentBodyAsync($$"""{"model":"claude","messages":[{"role":"user","content":"hi"}],{{field}}}""");

        Assert.Equal(expected, Raw(body.GetProperty("stop_sequences")));
    }

    [Fact]
    public async Task SamplingParametersAndUser_ArePassedAndHarmlessFieldsIgnored()
    {
        var body = await SentBodyAsync("""
            {"model":"claude","messages":[{"role":"user","content":"hi"}],"temperature":0.3,"top_p":0.9,"top_k":40,"user":"user-42",
             "stream_options":null,"metadata":{"k":"v"},"store":true,"service_tier":"auto","n":1,"logprobs":false,"frequency_penalty":0}
            """);

        Assert.Equal(0.3, body.GetProperty("temperature").GetDouble());
        Assert.Equal(0.9, body.GetProperty("top_p").GetDouble());
        Assert.Equal(40, body.GetProperty("top_k").GetInt32());
        Assert.Equal("""{"user_id":"user-42"}""", Raw(body.GetProperty("metadata")));
        foreach (var absent in new[] { "stream_options", "store", "service_tier", "n", "logprobs", "frequency_penalty", "user" })
            Assert.False(body.TryGetProperty(absent, out _), absent);
    }

    [Theory]
    [InlineData("low", 1024, 4096)]
    [InlineData("medium", 2048, 4096)]
    [InlineData("high", 4096, 8192)]
    public async Task ReasoningEffort_BecomesThinkingBudgetBelowMaxTokens(string effort, int budget, int maxTokens)
    {
        var body = await SentBodyAsync($$"""{"model":"claude","messages":[{"role":"user","content":"think"}],"reasoning_effort":"{{effort}}"}""");

        Assert.Equal($$"""{"type":"enabled","budget_tokens":{{budget}}}""", Raw(body.GetProperty("thinking")));
        Assert.Equal(maxTokens, body.GetProperty("max_tokens").GetInt32());
    }

    [Fact]
    public async Task ReasoningEffortWithSmallMaxTokens_KeepsTheAnswerRoomAboveTheBudget()
    {
        var body = await SentBodyAsync("""{"model":"claude","messages":[{"role":"user","content":"think"}],"reasoning_effort":"low","max_tokens":500}""");

        Assert.Equal(1524, body.GetProperty("max_tokens").GetInt32());
    }

    [Fact]
    public async Task StreamingRequest_SetsStreamTrue()
    {
        Upstream.RespondStream(AnthropicWireFixtures.TextStream("ok"));
        using var response = await Gateway.PostStreamAsync("/v1/chat/completions",
            """{"model":"claude","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}""");
        await response.Content.ReadAsStringAsync();

        using var sent = Upstream.LastRequest.Json();
        Assert.True(sent.RootElement.GetProperty("stream").GetBoolean());
        Assert.False(sent.RootElement.TryGetProperty("stream_options", out _));
    }

    [Theory]
    [InlineData("\"n\":2", "n")]
    [InlineData("\"logprobs\":true", "logprobs")]
    [InlineData("\"presence_penalty\":0.5", "presence_penalty")]
    [InlineData("\"frequency_penalty\":0.5", "frequency_penalty")]
    [InlineData("\"logit_bias\":{\"50256\":-100}", "logit_bias")]
    [InlineData("\"seed\":7", "seed")]
    public async Task UnsupportedParameter_Is400NamingItAndNothingIsSent(string field, string param)
    {
        var (response, body) = await PostAsync($$"""{"model":"claude","messages":[{"role":"user","content":"hi"}],{{field}}}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Contains(param, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("drop_params", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(Upstream.Requests);
    }

    [Fact]
    public async Task DropParamsInRequestBody_DropsUnsupportedParameters()
    {
        var body = await SentBodyAsync("""{"model":"claude","messages":[{"role":"user","content":"hi"}],"seed":7,"presence_penalty":0.5,"drop_params":true}""");

        Assert.False(body.TryGetProperty("seed", out _));
        Assert.False(body.TryGetProperty("presence_penalty", out _));
        Assert.False(body.TryGetProperty("drop_params", out _));
    }

    [Theory]
    [InlineData("""{"type":"image_url","image_url":{}}""", "messages[0].content[0].image_url.url")]
    [InlineData("""{"type":"image_url","image_url":{"url":"ftp://example.com/a.png"}}""", "messages[0].content[0].image_url.url")]
    [InlineData("""{"type":"input_audio","input_audio":{"data":"AAAA","format":"wav"}}""", "messages[0].content[0].type")]
    public async Task InvalidContentPart_Is400NamingIt(string part, string param)
    {
        var (response, body) = await PostAsync($$"""{"model":"claude","messages":[{"role":"user","content":[{{part}}]}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(param, JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("param").GetString());
        Assert.Empty(Upstream.Requests);
    }

    [Fact]
    public async Task ToolMessageWithoutToolCallId_Is400()
    {
        var (response, body) = await PostAsync("""{"model":"claude","messages":[{"role":"user","content":"hi"},{"role":"tool","content":"x"}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("messages[1].tool_call_id", JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("param").GetString());
    }

    [Theory]
    [InlineData("{\\\"city\\\": ")]
    [InlineData("[1,2]")]
    public async Task MalformedToolArguments_Is400(string arguments)
    {
        var (response, body) = await PostAsync("""
            {"model":"claude","messages":[{"role":"user","content":"hi"},
              {"role":"assistant","tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"f","arguments":"ARGS"}}]},
              {"role":"tool","tool_call_id":"toolu_1","content":"x"}]}
            """.Replace("ARGS", arguments, StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("messages[1].tool_calls[0].function.arguments", JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("param").GetString());
        Assert.Empty(Upstream.Requests);
    }

    [Fact]
    public async Task JsonSchemaResponseFormat_ForcesJsonToolWithTheSchema()
    {
        var body = await SentBodyAsync("""
            {"model":"claude","messages":[{"role":"user","content":"a city"}],
             "response_format":{"type":"json_schema","json_schema":{"name":"city","schema":{"type":"object","properties":{"name":{"type":"string"}}}}}}
            """);

        var tools = body.GetProperty("tools");
        Assert.Equal(1, tools.GetArrayLength());
        Assert.Equal("json_tool_call", tools[0].GetProperty("name").GetString());
        Assert.Equal("""{"type":"object","properties":{"name":{"type":"string"}}}""", Raw(tools[0].GetProperty("input_schema")));
        Assert.Equal("""{"type":"tool","name":"json_tool_call"}""", Raw(body.GetProperty("tool_choice")));
    }
}

public sealed class AnthropicDropParamsConfigTests : AnthropicGatewayTestBase
{
    protected override string ExtraYaml => """
        litellm_settings:
          drop_params: true
        """;

    [Fact]
    public async Task DropParamsInConfig_DropsUnsupportedParameters()
    {
        var body = await SentBodyAsync("""{"model":"claude","messages":[{"role":"user","content":"hi"}],"n":3,"logit_bias":{"1":2},"temperature":0.5}""");

        Assert.False(body.TryGetProperty("n", out _));
        Assert.False(body.TryGetProperty("logit_bias", out _));
        Assert.Equal(0.5, body.GetProperty("temperature").GetDouble());
    }
}
