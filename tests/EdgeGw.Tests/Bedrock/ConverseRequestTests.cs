using System.Text;
using System.Text.Json;
using EdgeGw.Buffers;
using EdgeGw.Providers.Bedrock;

namespace EdgeGw.Tests.Bedrock;

/// <summary>What Bedrock receives for an OpenAI chat request: the Converse body, or the client's 400.</summary>
public sealed class ConverseRequestTests
{
    private const string Claude = "us.anthropic.claude-3-7-sonnet-20250219-v1:0";

    private static JsonElement Translate(string body, string modelId = Claude, bool dropParams = false)
    {
        var translation = TranslateRaw(body, modelId, dropParams, out var json);
        Assert.Null(translation.Error);
        return JsonDocument.Parse(json).RootElement;
    }

    private static ConverseTranslation TranslateRaw(string body, string modelId, bool dropParams, out string json)
    {
        using var output = new PooledBufferWriter();
        var translation = ConverseRequestTranslator.Translate(Encoding.UTF8.GetBytes(body), new ConverseRequestOptions(modelId, dropParams), output);
        json = Encoding.UTF8.GetString(output.WrittenSpan);
        return translation;
    }

    private static EdgeGw.Api.GatewayError Refused(string body, string modelId = Claude)
    {
        var error = TranslateRaw(body, modelId, false, out _).Error;
        Assert.NotNull(error);
        Assert.Equal(400, error.Status);
        return error;
    }

    [Fact]
    public void SystemAndConsecutiveUserMessages_SystemBlocksAndOneMergedUserTurn()
    {
        var sent = Translate("""
            {"model":"m","messages":[
              {"role":"system","content":"Be terse."},
              {"role":"user","content":"Hello"},
              {"role":"user","content":[{"type":"text","text":"there \"you\""}]},
              {"role":"developer","content":[{"type":"text","text":"No emoji."}]}]}
            """);

        Assert.Equal("""[{"text":"Be terse."},{"text":"No emoji."}]""", sent.GetProperty("system").GetRawText());
        var messages = sent.GetProperty("messages");
        Assert.Equal(1, messages.GetArrayLength());
        Assert.Equal("user", messages[0].GetProperty("role").GetString());
        Assert.Equal("""[{"text":"Hello"},{"text":"there \"you\""}]""", messages[0].GetProperty("content").GetRawText());
        Assert.False(sent.TryGetProperty("inferenceConfig", out _));
        Assert.False(sent.TryGetProperty("toolConfig", out _));
    }

    [Fact]
    public void ToolRoundTrip_TextBeforeToolUseAndResultsOpenTheUserTurn()
    {
        var sent = Translate("""
            {"model":"m","tools":[{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
             "messages":[
              {"role":"user","content":"Weather in Paris and Rome?"},
              {"role":"assistant","content":"Checking.","tool_calls":[
                {"id":"tooluse_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
                {"id":"tooluse_2","type":"function","function":{"name":"get_weather","arguments":""}}]},
              {"role":"tool","tool_call_id":"tooluse_1","content":"21 C"},
              {"role":"tool","tool_call_id":"tooluse_2","content":[{"type":"text","text":"19 C"}]},
              {"role":"user","content":"Thanks"}]}
            """);

        var messages = sent.GetProperty("messages");
        Assert.Equal(["user", "assistant", "user"], messages.EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        Assert.Equal("""[{"text":"Checking."},{"toolUse":{"toolUseId":"tooluse_1","name":"get_weather","input":{"city":"Paris"}}},{"toolUse":{"toolUseId":"tooluse_2","name":"get_weather","input":{}}}]""",
            messages[1].GetProperty("content").GetRawText());
        Assert.Equal("""[{"toolResult":{"toolUseId":"tooluse_1","content":[{"text":"21 C"}]}},{"toolResult":{"toolUseId":"tooluse_2","content":[{"text":"19 C"}]}},{"text":"Thanks"}]""",
            messages[2].GetProperty("content").GetRawText());
        Assert.Equal("""{"tools":[{"toolSpec":{"name":"get_weather","description":"Weather","inputSchema":{"json":{"type":"object","properties":{"city":{"type":"string"}}}}}}]}""",
            sent.GetProperty("toolConfig").GetRawText());
    }

    [Theory]
    [InlineData("\"auto\"", """{"auto":{}}""")]
    [InlineData("\"required\"", """{"any":{}}""")]
    [InlineData("""{"type":"function","function":{"name":"f"}}""", """{"tool":{"name":"f"}}""")]
    public void ToolChoice_MapsToConverseToolChoice(string choice, string expected)
    {
        var sent = Translate("""{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":""" + choice + "}");

        Assert.Equal(expected, sent.GetProperty("toolConfig").GetProperty("toolChoice").GetRawText());
        Assert.Equal("""{"json":{"type":"object","properties":{}}}""", sent.GetProperty("toolConfig").GetProperty("tools")[0].GetProperty("toolSpec").GetProperty("inputSchema").GetRawText());
    }

    [Fact]
    public void ToolChoiceNone_SendsNoTools()
    {
        var sent = Translate("""{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"none"}""");

        Assert.False(sent.TryGetProperty("toolConfig", out _));
    }

    [Fact]
    public void ToolHistoryWithoutTools_IsRefusedNamingTools()
    {
        var error = Refused("""{"model":"m","messages":[{"role":"user","content":"hi"},{"role":"assistant","tool_calls":[{"id":"t1","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"t1","content":"x"}]}""");

        Assert.Equal("tools", error.Param);
    }

    [Fact]
    public void DataUrlImage_BecomesInlineImageBlock()
    {
        var sent = Translate("""{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"What is it?"},{"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/4AAQSk+Zg=="}}]}]}""");

        Assert.Equal("""{"image":{"format":"jpeg","source":{"bytes":"/9j/4AAQSk+Zg=="}}}""", sent.GetProperty("messages")[0].GetProperty("content")[1].GetRawText());
    }

    [Fact]
    public void HttpImageUrl_IsRefusedAskingForADataUrl()
    {
        var error = Refused("""{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]}""");

        Assert.Contains("data: URL", error.Message, StringComparison.Ordinal);
        Assert.Equal("messages[0].content[0].image_url.url", error.Param);
    }

    [Fact]
    public void PdfFile_BecomesDocumentBlock()
    {
        var sent = Translate("""{"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"file_data":"data:application/pdf;base64,JVBERi0x"}},{"type":"text","text":"Summarise"}]}]}""");

        var document = sent.GetProperty("messages")[0].GetProperty("content")[0].GetProperty("document");
        Assert.Equal("pdf", document.GetProperty("format").GetString());
        Assert.Equal("JVBERi0x", document.GetProperty("source").GetProperty("bytes").GetString());
        Assert.Matches("^[A-Za-z0-9 ()\\[\\]-]+$", document.GetProperty("name").GetString()!);
    }

    [Fact]
    public void SamplingAndStop_GoToInferenceConfig()
    {
        var sent = Translate("""{"model":"m","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":300,"max_tokens":100,"temperature":0.2,"top_p":0.9,"stop":["END",""],"stream_options":{"include_usage":true},"user":"u1"}""");

        Assert.Equal("""{"maxTokens":300,"temperature":0.2,"topP":0.9,"stopSequences":["END"]}""", sent.GetProperty("inferenceConfig").GetRawText());
    }

    [Fact]
    public void ReasoningEffortOnClaude_ThinkingBudgetInAdditionalFieldsAndRoomForTheAnswer()
    {
        var sent = Translate("""{"model":"m","messages":[{"role":"user","content":"hi"}],"reasoning_effort":"medium","max_tokens":1000,"top_k":40}""");

        Assert.Equal("""{"top_k":40,"thinking":{"type":"enabled","budget_tokens":2048}}""", sent.GetProperty("additionalModelRequestFields").GetRawText());
        Assert.Equal(3048, sent.GetProperty("inferenceConfig").GetProperty("maxTokens").GetInt32());
    }

    [Fact]
    public void TopKOnNova_GoesInsideNovasInferenceConfig()
    {
        var sent = Translate("""{"model":"m","messages":[{"role":"user","content":"hi"}],"top_k":20}""", "amazon.nova-pro-v1:0");

        Assert.Equal("""{"inferenceConfig":{"topK":20}}""", sent.GetProperty("additionalModelRequestFields").GetRawText());
    }

    [Fact]
    public void UnsupportedParameter_RefusedNamingItUnlessDropParams()
    {
        const string body = """{"model":"m","messages":[{"role":"user","content":"hi"}],"presence_penalty":0.5,"n":1}""";

        var error = Refused(body);
        Assert.Equal("presence_penalty", error.Param);
        Assert.Contains("drop_params", error.Message, StringComparison.Ordinal);

        var translation = TranslateRaw(body, Claude, dropParams: true, out var json);
        Assert.Null(translation.Error);
        Assert.Equal(["presence_penalty"], translation.Dropped);
        Assert.DoesNotContain("presence", json, StringComparison.Ordinal);
    }

    [Fact]
    public void ReasoningEffortOnLlama_IsUnsupported()
    {
        var error = Refused("""{"model":"m","messages":[{"role":"user","content":"hi"}],"reasoning_effort":"low"}""", "meta.llama3-1-70b-instruct-v1:0");

        Assert.Equal("reasoning_effort", error.Param);
    }

    [Fact]
    public void ResponseFormatJsonSchema_ForcedToolNamedAfterTheSchema()
    {
        var translation = TranslateRaw("""
            {"model":"m","messages":[{"role":"user","content":"hi"}],
             "response_format":{"type":"json_schema","json_schema":{"name":"person","schema":{"type":"object","properties":{"name":{"type":"string"}}}}}}
            """, Claude, false, out var json);

        Assert.Equal("person", translation.JsonToolName);
        var toolConfig = JsonDocument.Parse(json).RootElement.GetProperty("toolConfig");
        Assert.Equal("person", toolConfig.GetProperty("tools")[0].GetProperty("toolSpec").GetProperty("name").GetString());
        Assert.Equal("""{"tool":{"name":"person"}}""", toolConfig.GetProperty("toolChoice").GetRawText());
    }

    [Fact]
    public void CacheControl_AddsCachePointAfterTheMarkedBlock()
    {
        var sent = Translate("""
            {"model":"m","messages":[
              {"role":"system","content":[{"type":"text","text":"Long context","cache_control":{"type":"ephemeral"}}]},
              {"role":"user","content":"hi"}]}
            """);

        Assert.Equal("""[{"text":"Long context"},{"cachePoint":{"type":"default"}}]""", sent.GetProperty("system").GetRawText());
    }

    [Fact]
    public void ThinkingBlocksInHistory_GoBackAsReasoningContentWithSignature()
    {
        var sent = Translate("""
            {"model":"m","messages":[{"role":"user","content":"hi"},
              {"role":"assistant","content":"Hello","thinking_blocks":[{"type":"thinking","thinking":"Greet.","signature":"sig=="}]},
              {"role":"user","content":"again"}]}
            """);

        Assert.Equal("""[{"reasoningContent":{"reasoningText":{"text":"Greet.","signature":"sig=="}}},{"text":"Hello"}]""",
            sent.GetProperty("messages")[1].GetProperty("content").GetRawText());
    }

    [Fact]
    public void OnlySystemMessages_IsRefused()
    {
        var error = Refused("""{"model":"m","messages":[{"role":"system","content":"x"}]}""");

        Assert.Equal("messages", error.Param);
    }
}
