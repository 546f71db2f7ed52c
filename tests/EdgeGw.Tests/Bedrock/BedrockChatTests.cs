using System.Net;
using System.Text.Json;
using static EdgeGw.Tests.Bedrock.BedrockWireFixtures;

namespace EdgeGw.Tests.Bedrock;

/// <summary>Non-streamed chat through a <c>bedrock/</c> deployment: the signed Converse call and the OpenAI answer.</summary>
public sealed class BedrockChatTests : BedrockTestBase
{
    [Fact]
    public async Task TextAnswer_ReachesClientAsChatCompletionFromASignedConverseCall()
    {
        RespondConverse(TextAnswer("Hello \\\"there\\\""));

        using var response = await ChatAsync("""{"model":"my-bedrock","messages":[{"role":"system","content":"Be terse."},{"role":"user","content":"hello"}],"max_tokens":50}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        Assert.Equal(ModelName, body.GetProperty("model").GetString());
        var choice = body.GetProperty("choices")[0];
        Assert.Equal("Hello \"there\"", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(21, body.GetProperty("usage").GetProperty("total_tokens").GetInt32());

        Assert.Equal("/model/us.anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse", RawTargets.Single());
        var request = Upstream.LastRequest;
        Assert.Equal("POST", request.Method);
        Assert.Matches(@"^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\d{8}/us-east-1/bedrock/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$",
            request.Headers["authorization"]);
        Assert.Matches(@"^\d{8}T\d{6}Z$", request.Headers["x-amz-date"]);
        Assert.DoesNotContain(SecretKey, request.Headers["authorization"], StringComparison.Ordinal);
        Assert.Equal("""[{"text":"Be terse."}]""", Sent.GetProperty("system").GetRawText());
        Assert.Equal("""{"maxTokens":50}""", Sent.GetProperty("inferenceConfig").GetRawText());
        Assert.False(Sent.TryGetProperty("model", out _));
    }

    [Fact]
    public async Task ToolUseAnswer_BecomesToolCallsWithTextAndArgumentsString()
    {
        RespondConverse(Converse("""[{"text":"Let me check."},{"toolUse":{"toolUseId":"tooluse_abc","name":"get_weather","input":{"city":"Paris","days":2}}}]""", "tool_use"));

        using var response = await ChatAsync(UserMessage(""","tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]"""));

        var choice = (await JsonAsync(response)).GetProperty("choices")[0];
        Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
        var message = choice.GetProperty("message");
        Assert.Equal("Let me check.", message.GetProperty("content").GetString());
        var call = message.GetProperty("tool_calls")[0];
        Assert.Equal("tooluse_abc", call.GetProperty("id").GetString());
        Assert.Equal("function", call.GetProperty("type").GetString());
        Assert.Equal("get_weather", call.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("""{"city":"Paris","days":2}""", call.GetProperty("function").GetProperty("arguments").GetString());
    }

    [Theory]
    [InlineData("end_turn", "stop")]
    [InlineData("stop_sequence", "stop")]
    [InlineData("max_tokens", "length")]
    [InlineData("guardrail_intervened", "content_filter")]
    [InlineData("content_filtered", "content_filter")]
    public async Task StopReason_MapsToFinishReason(string stopReason, string finishReason)
    {
        RespondConverse(TextAnswer("x", stopReason));

        using var response = await ChatAsync(UserMessage());

        Assert.Equal(finishReason, (await JsonAsync(response)).GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task CacheTokens_CountInPromptAndAreReportedAsLiteLLMDoes()
    {
        RespondConverse(Converse("""[{"text":"ok"}]""", usage: """{"inputTokens":10,"outputTokens":5,"totalTokens":1215,"cacheReadInputTokens":1000,"cacheWriteInputTokens":200}"""));

        using var response = await ChatAsync(UserMessage());

        var usage = (await JsonAsync(response)).GetProperty("usage");
        Assert.Equal(1210, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(5, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(1215, usage.GetProperty("total_tokens").GetInt32());
        Assert.Equal(1000, usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
        Assert.Equal(200, usage.GetProperty("cache_creation_input_tokens").GetInt32());
        Assert.Equal(1000, usage.GetProperty("cache_read_input_tokens").GetInt32());
    }

    [Fact]
    public async Task ReasoningContent_BecomesReasoningContentAndThinkingBlocks()
    {
        RespondConverse(Converse("""[{"reasoningContent":{"reasoningText":{"text":"Think first.","signature":"EqQBCkYIAxgC"}}},{"text":"42"}]"""));

        using var response = await ChatAsync(UserMessage(",\"reasoning_effort\":\"low\""));

        var message = (await JsonAsync(response)).GetProperty("choices")[0].GetProperty("message");
        Assert.Equal("42", message.GetProperty("content").GetString());
        Assert.Equal("Think first.", message.GetProperty("reasoning_content").GetString());
        Assert.Equal("""[{"type":"thinking","thinking":"Think first.","signature":"EqQBCkYIAxgC"}]""", message.GetProperty("thinking_blocks").GetRawText());
        Assert.Equal("""{"thinking":{"type":"enabled","budget_tokens":1024}}""", Sent.GetProperty("additionalModelRequestFields").GetRawText());
    }

    [Fact]
    public async Task ResponseFormatJsonSchema_ToolInputComesBackAsContent()
    {
        RespondConverse(Converse("""[{"toolUse":{"toolUseId":"t1","name":"person","input":{"name":"Ada"}}}]""", "tool_use"));

        using var response = await ChatAsync(UserMessage(""","response_format":{"type":"json_schema","json_schema":{"name":"person","schema":{"type":"object"}}}"""));

        var choice = (await JsonAsync(response)).GetProperty("choices")[0];
        Assert.Equal("""{"name":"Ada"}""", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.False(choice.GetProperty("message").TryGetProperty("tool_calls", out _));
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Images_AreSentInlineWithTheirFormat()
    {
        RespondConverse(TextAnswer("a cat"));

        using var response = await ChatAsync("""{"model":"my-bedrock","messages":[{"role":"user","content":[{"type":"text","text":"What is it?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"image":{"format":"png","source":{"bytes":"iVBORw0KGgo="}}}""", Sent.GetProperty("messages")[0].GetProperty("content")[1].GetRawText());
    }

    [Fact]
    public async Task AnthropicClient_GetsAnAnthropicMessage()
    {
        RespondConverse(Converse("""[{"text":"Hi"}]""", usage: """{"inputTokens":10,"outputTokens":2,"totalTokens":12}"""));

        using var response = await Gateway.PostJsonAsync("/v1/messages", """{"model":"my-bedrock","max_tokens":100,"messages":[{"role":"user","content":"hello"}]}""");

        var body = await JsonAsync(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("message", body.GetProperty("type").GetString());
        Assert.Equal("Hi", body.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("end_turn", body.GetProperty("stop_reason").GetString());
        Assert.Equal(100, Sent.GetProperty("inferenceConfig").GetProperty("maxTokens").GetInt32());
    }
}
