using System.Net;
using System.Text.Json;
using static EdgeGw.Tests.Providers.Anthropic.AnthropicWireFixtures;

namespace EdgeGw.Tests.Providers.Anthropic;

public sealed class AnthropicResponseTests : AnthropicGatewayTestBase
{
    private const string Hello = """{"model":"claude","messages":[{"role":"user","content":"hello"}]}""";

    /// <summary>Quotes, backslashes, newlines, tabs, emoji, CJK and a script end tag.</summary>
    public const string TrickyText = "She said \"hi\" \\ C:\\path\nline2\ttabbed 😀 漢字テスト </script><b>&amp;</b> café";

    private async Task<JsonElement> CompletionAsync(string upstreamJson, string request = Hello)
    {
        Upstream.RespondJson(upstreamJson);
        var (response, body) = await PostAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("application/json", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        return JsonDocument.Parse(body).RootElement;
    }

    [Fact]
    public async Task TextAnswer_BecomesChatCompletionWithClientModelName()
    {
        var completion = await CompletionAsync(TextMessage("Hello there."));

        Assert.Equal(MessageId, completion.GetProperty("id").GetString());
        Assert.Equal("chat.completion", completion.GetProperty("object").GetString());
        Assert.True(completion.GetProperty("created").GetInt64() > 1_700_000_000);
        Assert.Equal("claude", completion.GetProperty("model").GetString());
        var choice = completion.GetProperty("choices")[0];
        Assert.Equal(0, choice.GetProperty("index").GetInt32());
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal("Hello there.", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.False(choice.GetProperty("message").TryGetProperty("tool_calls", out _));
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task SeveralTextBlocks_AreJoined()
    {
        var completion = await CompletionAsync(Message("""{"type":"text","text":"Part one, "},{"type":"text","text":"part two."}"""));

        Assert.Equal("Part one, part two.", completion.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task Usage_CountsCachedInputInPromptTokens()
    {
        var completion = await CompletionAsync(Message("""{"type":"text","text":"ok"}""", usage:
            """{"input_tokens":10,"cache_creation_input_tokens":200,"cache_read_input_tokens":3000,"cache_creation":{"ephemeral_5m_input_tokens":200,"ephemeral_1h_input_tokens":0},"output_tokens":42,"service_tier":"standard"}"""));

        var usage = completion.GetProperty("usage");
        Assert.Equal(3210, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(42, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(3252, usage.GetProperty("total_tokens").GetInt32());
        Assert.Equal(3000, usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
    }

    [Fact]
    public async Task ToolUseOnly_ContentIsNullAndToolCallsCarryArgumentsAsJsonString()
    {
        var completion = await CompletionAsync(Message("""
            {"type":"tool_use","id":"toolu_01Paris","name":"get_weather","input":{"city":"Paris","days":[1,2],"unit":"\"C\""}},{"type":"tool_use","id":"toolu_01Rome","name":"get_weather","input":{}}
            """, "tool_use"));

        var choice = completion.GetProperty("choices")[0];
        Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
        var message = choice.GetProperty("message");
        Assert.Equal(JsonValueKind.Null, message.GetProperty("content").ValueKind);
        var calls = message.GetProperty("tool_calls");
        Assert.Equal(2, calls.GetArrayLength());
        Assert.Equal("toolu_01Paris", calls[0].GetProperty("id").GetString());
        Assert.Equal("function", calls[0].GetProperty("type").GetString());
        Assert.Equal("get_weather", calls[0].GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("""{"city":"Paris","days":[1,2],"unit":"\"C\""}""", calls[0].GetProperty("function").GetProperty("arguments").GetString());
        Assert.Equal("{}", calls[1].GetProperty("function").GetProperty("arguments").GetString());
    }

    [Fact]
    public async Task TextAndToolUse_BothReachTheClient()
    {
        var completion = await CompletionAsync(Message("""
            {"type":"text","text":"Let me check."},{"type":"tool_use","id":"toolu_01X","name":"now","input":{}}
            """, "tool_use"));

        var message = completion.GetProperty("choices")[0].GetProperty("message");
        Assert.Equal("Let me check.", message.GetProperty("content").GetString());
        Assert.Equal("toolu_01X", message.GetProperty("tool_calls")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Thinking_BecomesReasoningContentAndThinkingBlocks()
    {
        var completion = await CompletionAsync(Message("""
            {"type":"thinking","thinking":"The user greets; answer briefly.","signature":"c2lnLWVkZ2Vndw=="},{"type":"text","text":"Hi!"}
            """));

        var message = completion.GetProperty("choices")[0].GetProperty("message");
        Assert.Equal("Hi!", message.GetProperty("content").GetString());
        Assert.Equal("The user greets; answer briefly.", message.GetProperty("reasoning_content").GetString());
        Assert.Equal("c2lnLWVkZ2Vndw==", message.GetProperty("thinking_blocks")[0].GetProperty("signature").GetString());
    }

    [Theory]
    [InlineData("end_turn", "stop")]
    [InlineData("stop_sequence", "stop")]
    [InlineData("pause_turn", "stop")]
    [InlineData("max_tokens", "length")]
    [InlineData("model_context_window_exceeded", "length")]
    [InlineData("refusal", "content_filter")]
    public async Task StopReason_MapsToFinishReason(string stopReason, string finishReason)
    {
        var completion = await CompletionAsync(TextMessage("x", stopReason));

        Assert.Equal(finishReason, completion.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task TrickyText_RoundTripsExactly()
    {
        var completion = await CompletionAsync(TextMessage(TrickyText),
            """{"model":"claude","messages":[{"role":"user","content":""" + JsonEncodedString(TrickyText) + "}]}");

        Assert.Equal(TrickyText, completion.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        using var sent = Upstream.LastRequest.Json();
        Assert.Equal(TrickyText, sent.RootElement.GetProperty("messages")[0].GetProperty("content").GetString());
    }

    [Fact]
    public async Task JsonResponseFormat_ReturnsTheToolInputAsContent()
    {
        var completion = await CompletionAsync(Message("""
            {"type":"tool_use","id":"toolu_01J","name":"json_tool_call","input":{"name":"Lyon","population":522000}}
            """, "tool_use"), """{"model":"claude","messages":[{"role":"user","content":"a city"}],"response_format":{"type":"json_object"}}""");

        var choice = completion.GetProperty("choices")[0];
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.False(choice.GetProperty("message").TryGetProperty("tool_calls", out _));
        using var content = JsonDocument.Parse(choice.GetProperty("message").GetProperty("content").GetString()!);
        Assert.Equal("Lyon", content.RootElement.GetProperty("name").GetString());
    }

    [Fact]
    public async Task ToolRoundTrip_SecondTurnSendsToolUseAndResultBack()
    {
        var first = await CompletionAsync(Message("""
            {"type":"tool_use","id":"toolu_01Trip","name":"get_weather","input":{"city":"Oslo"}}
            """, "tool_use"), """{"model":"claude","messages":[{"role":"user","content":"Oslo weather?"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]}""");
        var assistant = first.GetProperty("choices")[0].GetProperty("message").GetRawText();

        await CompletionAsync(TextMessage("It is 3C in Oslo."), """
            {"model":"claude","messages":[{"role":"user","content":"Oslo weather?"},ASSISTANT,
             {"role":"tool","tool_call_id":"toolu_01Trip","content":"3C"}],
             "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]}
            """.Replace("ASSISTANT", assistant, StringComparison.Ordinal));

        using var sent = Upstream.LastRequest.Json();
        var messages = sent.RootElement.GetProperty("messages");
        Assert.Equal("""{"role":"assistant","content":[{"type":"tool_use","id":"toolu_01Trip","name":"get_weather","input":{"city":"Oslo"}}]}""", messages[1].GetRawText());
        Assert.Equal("""{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01Trip","content":"3C"}]}""", messages[2].GetRawText());
    }

    [Fact]
    public async Task MalformedUpstreamBody_Is502()
    {
        Upstream.RespondJson("""{"id":"msg_x","type":"message","content":""");
        var (response, body) = await PostAsync(Hello);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("malformed", JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    public static string JsonEncodedString(string text) => "\"" + Esc(text) + "\"";
}
