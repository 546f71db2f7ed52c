using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Providers.Gemini;

public sealed class GeminiRequestTests : GeminiTestBase
{
    private async Task<JsonElement> SendAsync(string json)
    {
        Upstream.RespondJson(GeminiWireFixtures.Simple);
        using var response = await ChatAsync(json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Sent;
    }

    [Fact]
    public async Task NonStreamingRequest_PostsGenerateContentWithKeyInHeaderOnly()
    {
        await SendAsync(UserMessage());

        var request = Upstream.LastRequest;
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1beta/models/gemini-2.5-flash:generateContent", request.PathAndQuery);
        Assert.Equal(UpstreamKey, request.Headers["x-goog-api-key"]);
        Assert.Equal("edge", request.Headers["x-team"]);
        Assert.DoesNotContain(UpstreamKey, request.PathAndQuery, StringComparison.Ordinal);
        Assert.DoesNotContain("key=", request.PathAndQuery, StringComparison.Ordinal);
        Assert.False(request.Headers.ContainsKey("authorization"));
        Assert.StartsWith("application/json", request.Headers["content-type"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamingRequest_PostsStreamGenerateContentWithAltSse()
    {
        Upstream.RespondStream([GeminiWireFixtures.Event(GeminiWireFixtures.TextEvent("hi", "STOP"))]);

        await StreamAsync(UserMessage(""","stream":true"""));

        Assert.Equal("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", Upstream.LastRequest.PathAndQuery);
        Assert.Equal(UpstreamKey, Upstream.LastRequest.Headers["x-goog-api-key"]);
    }

    [Fact]
    public async Task SystemAndDeveloperMessages_BecomeSystemInstruction()
    {
        var sent = await SendAsync("""
            {"model":"my-gemini","messages":[
              {"role":"system","content":"Be terse."},
              {"role":"user","content":"hi"},
              {"role":"developer","content":[{"type":"text","text":"Answer in French."}]}]}
            """);

        var parts = sent.GetProperty("systemInstruction").GetProperty("parts");
        Assert.Equal(["Be terse.", "Answer in French."], parts.EnumerateArray().Select(p => p.GetProperty("text").GetString()));
        var contents = sent.GetProperty("contents");
        Assert.Equal(1, contents.GetArrayLength());
        Assert.Equal("user", contents[0].GetProperty("role").GetString());
    }

    [Fact]
    public async Task ConsecutiveSameRoleMessages_MergeIntoOneTurn()
    {
        var sent = await SendAsync("""
            {"model":"my-gemini","messages":[
              {"role":"user","content":"one"},{"role":"user","content":"two"},
              {"role":"assistant","content":"three"},{"role":"assistant","content":[{"type":"text","text":"four"}]},
              {"role":"user","content":"five"}]}
            """);

        var contents = sent.GetProperty("contents").EnumerateArray().ToList();
        Assert.Equal(["user", "model", "user"], contents.Select(c => c.GetProperty("role").GetString()));
        Assert.Equal(["one", "two"], contents[0].GetProperty("parts").EnumerateArray().Select(p => p.GetProperty("text").GetString()));
        Assert.Equal(["three", "four"], contents[1].GetProperty("parts").EnumerateArray().Select(p => p.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task DataUrlImage_BecomesInlineData()
    {
        var sent = await SendAsync("""
            {"model":"my-gemini","messages":[{"role":"user","content":[
              {"type":"text","text":"what is this?"},
              {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==","detail":"high"}}]}]}
            """);

        var parts = sent.GetProperty("contents")[0].GetProperty("parts");
        Assert.Equal("what is this?", parts[0].GetProperty("text").GetString());
        var inline = parts[1].GetProperty("inlineData");
        Assert.Equal("image/png", inline.GetProperty("mimeType").GetString());
        Assert.Equal("iVBORw0KGgoAAAANSUhEUg==", inline.GetProperty("data").GetString());
    }

    [Fact]
    public async Task HttpsImageUrl_Is400AskingForDataUrl()
    {
        Upstream.RespondJson(GeminiWireFixtures.Simple);

        using var response = await ChatAsync("""
            {"model":"my-gemini","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]}
            """);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = Error(await JsonAsync(response));
        Assert.Contains("data:", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Empty(Upstream.Requests);
    }

    [Fact]
    public async Task Tools_BecomeFunctionDeclarationsWithUnsupportedSchemaKeywordsStripped()
    {
        var sent = await SendAsync("""
            {"model":"my-gemini","messages":[{"role":"user","content":"weather?"}],
             "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather by city","strict":true,
               "parameters":{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":false,
                 "properties":{
                   "city":{"type":"string","description":"City name","format":"uri"},
                   "units":{"type":["string","null"],"enum":["c","f"]},
                   "when":{"type":"string","format":"date-time"},
                   "tags":{"type":"array","items":{"type":"object","additionalProperties":false,"properties":{"k":{"type":"string","const":"x"}}}}},
                 "required":["city"]}}},
              {"type":"function","function":{"name":"ping","parameters":{"type":"object","properties":{}}}}]}
            """);

        var declarations = sent.GetProperty("tools")[0].GetProperty("functionDeclarations");
        var weather = declarations[0];
        Assert.Equal("get_weather", weather.GetProperty("name").GetString());
        Assert.Equal("Weather by city", weather.GetProperty("description").GetString());
        Assert.False(weather.TryGetProperty("strict", out _));
        var parameters = weather.GetProperty("parameters");
        var text = parameters.GetRawText();
        Assert.DoesNotContain("additionalProperties", text, StringComparison.Ordinal);
        Assert.DoesNotContain("$schema", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"uri\"", text, StringComparison.Ordinal);
        Assert.Equal("object", parameters.GetProperty("type").GetString());
        Assert.Equal("city", parameters.GetProperty("required")[0].GetString());
        var properties = parameters.GetProperty("properties");
        Assert.Equal("City name", properties.GetProperty("city").GetProperty("description").GetString());
        Assert.Equal("string", properties.GetProperty("units").GetProperty("type").GetString());
        Assert.True(properties.GetProperty("units").GetProperty("nullable").GetBoolean());
        Assert.Equal("date-time", properties.GetProperty("when").GetProperty("format").GetString());
        Assert.Equal("x", properties.GetProperty("tags").GetProperty("items").GetProperty("properties").GetProperty("k").GetProperty("enum")[0].GetString());
        // A function without parameters has no parameters: Gemini rejects an empty OBJECT schema.
        Assert.Equal("ping", declarations[1].GetProperty("name").GetString());
        Assert.False(declarations[1].TryGetProperty("parameters", out _));
    }

    [Fact]
    public async Task LocalSchemaReferences_AreInlined()
    {
        var sent = await SendAsync("""
            {"model":"my-gemini","messages":[{"role":"user","content":"hi"}],
             "tools":[{"type":"function","function":{"name":"save","parameters":{"type":"object",
               "$defs":{"Address":{"type":"object","properties":{"street":{"type":"string"}},"required":["street"]}},
               "definitions":{"Tag":{"type":"string","enum":["a","b"]}},
               "properties":{"home":{"$ref":"#/$defs/Address"},"work":{"allOf":[{"$ref":"#/$defs/Address"}],"description":"office"},
                             "tags":{"type":"array","items":{"$ref":"#/definitions/Tag"}}}}}}]}
            """);

        var parameters = sent.GetProperty("tools")[0].GetProperty("functionDeclarations")[0].GetProperty("parameters");
        Assert.DoesNotContain("$ref", parameters.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("$defs", parameters.GetRawText(), StringComparison.Ordinal);
        var properties = parameters.GetProperty("properties");
        Assert.Equal("string", properties.GetProperty("home").GetProperty("properties").GetProperty("street").GetProperty("type").GetString());
        Assert.Equal("street", properties.GetProperty("work").GetProperty("required")[0].GetString());
        Assert.Equal("b", properties.GetProperty("tags").GetProperty("items").GetProperty("enum")[1].GetString());
    }

    [Fact]
    public async Task RecursiveSchemaReference_Is400()
    {
        Upstream.RespondJson(GeminiWireFixtures.Simple);

        using var response = await ChatAsync("""
            {"model":"my-gemini","messages":[{"role":"user","content":"hi"}],
             "tools":[{"type":"function","function":{"name":"tree","parameters":{"type":"object",
               "$defs":{"Node":{"type":"object","properties":{"children":{"type":"array","items":{"$ref":"#/$defs/Node"}}}}},
               "properties":{"root":{"$ref":"#/$defs/Node"}}}}}]}
            """);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("tools", Error(await JsonAsync(response)).GetProperty("param").GetString());
        Assert.Empty(Upstream.Requests);
    }

    [Theory]
    [InlineData("\"auto\"", "AUTO", null)]
    [InlineData("\"none\"", "NONE", null)]
    [InlineData("\"required\"", "ANY", null)]
    [InlineData("{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}", "ANY", "get_weather")]
    public async Task ToolChoice_MapsToFunctionCallingMode(string toolChoice, string mode, string? allowed)
    {
        var sent = await SendAsync("""
            {"model":"my-gemini","messages":[{"role":"user","content":"hi"}],"tool_choice":TOOL_CHOICE,
             "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]}
            """.Replace("TOOL_CHOICE", toolChoice, StringComparison.Ordinal));

        var config = sent.GetProperty("toolConfig").GetProperty("functionCallingConfig");
        Assert.Equal(mode, config.GetProperty("mode").GetString());
        if (allowed is null)
            Assert.False(config.TryGetProperty("allowedFunctionNames", out _));
        else
            Assert.Equal(allowed, config.GetProperty("allowedFunctionNames")[0].GetString());
    }

    [Fact]
    public async Task ToolHistory_BecomesFunctionCallAndFunctionResponseParts()
    {
        var sent = await SendAsync("""
            {"model":"my-gemini","messages":[
              {"role":"user","content":"weather in Paris and Oslo?"},
              {"role":"assistant","content":null,"tool_calls":[
                {"id":"call_a","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
                {"id":"call_b","type":"function","function":{"name":"get_time","arguments":""}}]},
              {"role":"tool","tool_call_id":"call_a","content":"{\"temp_c\":21,\"sky\":\"clear\"}"},
              {"role":"tool","tool_call_id":"call_b","content":"It is \"noon\""},
              {"role":"user","content":"thanks"}]}
            """);

        var contents = sent.GetProperty("contents").EnumerateArray().ToList();
        Assert.Equal(["user", "model", "user"], contents.Select(c => c.GetProperty("role").GetString()));
        var calls = contents[1].GetProperty("parts");
        Assert.Equal("get_weather", calls[0].GetProperty("functionCall").GetProperty("name").GetString());
        Assert.Equal("Paris", calls[0].GetProperty("functionCall").GetProperty("args").GetProperty("city").GetString());
        Assert.Equal(JsonValueKind.Object, calls[1].GetProperty("functionCall").GetProperty("args").ValueKind);

        var results = contents[2].GetProperty("parts");
        Assert.Equal(3, results.GetArrayLength());
        var first = results[0].GetProperty("functionResponse");
        Assert.Equal("get_weather", first.GetProperty("name").GetString());
        Assert.Equal(21, first.GetProperty("response").GetProperty("temp_c").GetInt32());
        var second = results[1].GetProperty("functionResponse");
        Assert.Equal("get_time", second.GetProperty("name").GetString());
        Assert.Equal("It is \"noon\"", second.GetProperty("response").GetProperty("content").GetString());
        Assert.Equal("thanks", results[2].GetProperty("text").GetString());
    }

    [Fact]
    public async Task ToolCallIdWithThoughtSignature_SendsSignatureBack()
    {
        var sent = await SendAsync("""
            {"model":"my-gemini","messages":[
              {"role":"user","content":"go"},
              {"role":"assistant","tool_calls":[{"id":"call_0123456789abcdef__thought__Q2lRQlZL+/w=","type":"function","function":{"name":"f","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"call_0123456789abcdef__thought__Q2lRQlZL+/w=","content":"done"}]}
            """);

        var part = sent.GetProperty("contents")[1].GetProperty("parts")[0];
        Assert.Equal("Q2lRQlZL+/w=", part.GetProperty("thoughtSignature").GetString());
        Assert.Equal("f", sent.GetProperty("contents")[2].GetProperty("parts")[0].GetProperty("functionResponse").GetProperty("name").GetString());
    }

    [Fact]
    public async Task ToolMessageForUnknownCall_Is400()
    {
        using var response = await ChatAsync("""
            {"model":"my-gemini","messages":[{"role":"user","content":"go"},{"role":"tool","tool_call_id":"call_missing","content":"x"}]}
            """);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("call_missing", Error(await JsonAsync(response)).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SamplingParameters_MapToGenerationConfig()
    {
        var sent = await SendAsync(UserMessage("""
            ,"max_tokens":256,"temperature":0.3,"top_p":0.9,"top_k":40,"stop":"END","n":2,"seed":7,
             "presence_penalty":0.5,"frequency_penalty":-0.25,
             "stream_options":null,"user":"u-1","metadata":{"a":"b"},"store":false
            """));

        var config = sent.GetProperty("generationConfig");
        Assert.Equal(256, config.GetProperty("maxOutputTokens").GetInt32());
        Assert.Equal(0.3, config.GetProperty("temperature").GetDouble());
        Assert.Equal(0.9, config.GetProperty("topP").GetDouble());
        Assert.Equal(40, config.GetProperty("topK").GetInt32());
        Assert.Equal("END", config.GetProperty("stopSequences")[0].GetString());
        Assert.Equal(2, config.GetProperty("candidateCount").GetInt32());
        Assert.Equal(7, config.GetProperty("seed").GetInt32());
        Assert.Equal(0.5, config.GetProperty("presencePenalty").GetDouble());
        Assert.Equal(-0.25, config.GetProperty("frequencyPenalty").GetDouble());
        Assert.False(config.TryGetProperty("thinkingConfig", out _));
        foreach (var openAiOnly in new[] { "user", "metadata", "store", "model", "messages", "max_tokens" })
            Assert.False(sent.TryGetProperty(openAiOnly, out _), openAiOnly);
    }

    [Fact]
    public async Task MaxCompletionTokensAndStopArray_Map()
    {
        var sent = await SendAsync(UserMessage(""","max_tokens":10,"max_completion_tokens":99,"stop":["a","b"]"""));

        var config = sent.GetProperty("generationConfig");
        Assert.Equal(99, config.GetProperty("maxOutputTokens").GetInt32());
        Assert.Equal(["a", "b"], config.GetProperty("stopSequences").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task ResponseFormatJsonObject_SetsJsonMimeType()
    {
        var sent = await SendAsync(UserMessage(""","response_format":{"type":"json_object"}"""));

        Assert.Equal("application/json", sent.GetProperty("generationConfig").GetProperty("responseMimeType").GetString());
        Assert.False(sent.GetProperty("generationConfig").TryGetProperty("responseSchema", out _));
    }

    [Fact]
    public async Task ResponseFormatJsonSchema_SetsTranslatedResponseSchema()
    {
        var sent = await SendAsync(UserMessage("""
            ,"response_format":{"type":"json_schema","json_schema":{"name":"answer","strict":true,
              "schema":{"type":"object","additionalProperties":false,"properties":{"n":{"type":"integer"}},"required":["n"]}}}
            """));

        var config = sent.GetProperty("generationConfig");
        Assert.Equal("application/json", config.GetProperty("responseMimeType").GetString());
        var schema = config.GetProperty("responseSchema");
        Assert.Equal("integer", schema.GetProperty("properties").GetProperty("n").GetProperty("type").GetString());
        Assert.False(schema.TryGetProperty("additionalProperties", out _));
    }

    [Theory]
    [InlineData("minimal", 128)]
    [InlineData("low", 1024)]
    [InlineData("medium", 2048)]
    [InlineData("high", 4096)]
    public async Task ReasoningEffort_SetsThinkingBudgetAndIncludesThoughts(string effort, int budget)
    {
        var sent = await SendAsync(UserMessage(""","reasoning_effort":"EFFORT" """.Replace("EFFORT", effort, StringComparison.Ordinal)));

        var thinking = sent.GetProperty("generationConfig").GetProperty("thinkingConfig");
        Assert.Equal(budget, thinking.GetProperty("thinkingBudget").GetInt32());
        Assert.True(thinking.GetProperty("includeThoughts").GetBoolean());
    }

    [Fact]
    public async Task ReasoningEffortNone_TurnsThinkingOff()
    {
        var sent = await SendAsync(UserMessage(""","reasoning_effort":"none" """));

        var thinking = sent.GetProperty("generationConfig").GetProperty("thinkingConfig");
        Assert.Equal(0, thinking.GetProperty("thinkingBudget").GetInt32());
        Assert.False(thinking.TryGetProperty("includeThoughts", out _));
    }

    [Theory]
    [InlineData("\"logit_bias\":{\"50256\":-100}", "logit_bias")]
    [InlineData("\"logprobs\":true", "logprobs")]
    [InlineData("\"parallel_tool_calls\":false", "parallel_tool_calls")]
    [InlineData("\"top_logprobs\":2", "top_logprobs")]
    public async Task UnsupportedParameter_Is400NamingIt(string parameter, string name)
    {
        Upstream.RespondJson(GeminiWireFixtures.Simple);

        using var response = await ChatAsync(UserMessage("," + parameter));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = Error(await JsonAsync(response));
        Assert.Equal(name, error.GetProperty("param").GetString());
        Assert.Contains("drop_params", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(Upstream.Requests);
    }

    [Theory]
    [InlineData("""{"model":"my-gemini","messages":[{"role":"user","content":"hi"}],"tools":[{"type":1,"function":{"name":"f"}}]}""", "tools")]
    [InlineData("""{"model":"my-gemini","messages":[{"role":"user","content":"hi"}],"response_format":{"type":5}}""", "response_format")]
    [InlineData("""{"model":"my-gemini","messages":[{"role":"user","content":[{"type":7},"x"]}]}""", "messages")]
    [InlineData("""{"model":"my-gemini","messages":[{"role":"assistant","content":[3]},{"role":"user","content":"x"}]}""", "messages")]
    [InlineData("""{"model":"my-gemini","messages":[{"role":"assistant","tool_calls":[{"function":{"name":"f","arguments":"[1]"}}]}]}""", "messages")]
    [InlineData("""{"model":"my-gemini","messages":[{"role":"assistant","tool_calls":[{"function":{"name":"f","arguments":"{oops"}}]}]}""", "messages")]
    [InlineData("""{"model":"my-gemini","messages":[{"role":"system","content":"only a system prompt"}]}""", "messages")]
    [InlineData("""{"model":"my-gemini","messages":[{"role":"user","content":"hi"}],"temperature":"hot"}""", "temperature")]
    [InlineData("""{"model":"my-gemini","messages":[{"role":"user","content":"hi"}],"reasoning_effort":"extreme"}""", "reasoning_effort")]
    public async Task OddlyShapedRequest_Is400NotACrash(string json, string param)
    {
        Upstream.RespondJson(GeminiWireFixtures.Simple);

        using var response = await ChatAsync(json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(param, Error(await JsonAsync(response)).GetProperty("param").GetString());
        Assert.Empty(Upstream.Requests);
    }

    [Fact]
    public async Task DropParamsInRequest_DropsUnsupportedParameters()
    {
        var sent = await SendAsync(UserMessage(""","logit_bias":{"1":2},"parallel_tool_calls":false,"temperature":0.1,"drop_params":true"""));

        Assert.False(sent.TryGetProperty("logit_bias", out _));
        Assert.False(sent.TryGetProperty("drop_params", out _));
        Assert.Equal(0.1, sent.GetProperty("generationConfig").GetProperty("temperature").GetDouble());
    }

    [Fact]
    public async Task HarmlessDefaults_AreAccepted()
    {
        var sent = await SendAsync(UserMessage(""","parallel_tool_calls":true,"logprobs":false,"logit_bias":null,"stream_options":{"include_usage":true}"""));

        Assert.Equal("hello", sent.GetProperty("contents")[0].GetProperty("parts")[0].GetProperty("text").GetString());
    }
}

public sealed class GeminiDropParamsConfigTests : GeminiTestBase
{
    protected override string ExtraYaml => """
        litellm_settings:
          drop_params: true
        """;

    [Fact]
    public async Task DropParamsInConfig_DropsUnsupportedParameters()
    {
        Upstream.RespondJson(GeminiWireFixtures.Simple);

        using var response = await ChatAsync(UserMessage(""","logit_bias":{"1":2},"logprobs":true"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(Sent.TryGetProperty("logit_bias", out _));
        Assert.False(Sent.TryGetProperty("logprobs", out _));
    }
}
