using System.Net;
using System.Text.Json;
using static EdgeGw.Tests.Providers.Gemini.GeminiWireFixtures;

namespace EdgeGw.Tests.Providers.Gemini;

public sealed class GeminiResponseTests : GeminiTestBase
{
    private async Task<JsonElement> CompleteAsync(string upstreamJson, string? request = null)
    {
        Upstream.RespondJson(upstreamJson);
        using var response = await ChatAsync(request ?? UserMessage());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("application/json", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        return await JsonAsync(response);
    }

    private static JsonElement Message(JsonElement body, int choice = 0) => body.GetProperty("choices")[choice].GetProperty("message");

    [Fact]
    public async Task TextResponse_BecomesChatCompletionWithClientModelAndUsage()
    {
        var body = await CompleteAsync(TextResponse("Hello there"));

        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        Assert.Equal("resp-xyz789", body.GetProperty("id").GetString());
        Assert.Equal(ModelName, body.GetProperty("model").GetString());
        Assert.True(body.GetProperty("created").GetInt64() > 1_700_000_000);
        var choice = body.GetProperty("choices")[0];
        Assert.Equal(0, choice.GetProperty("index").GetInt32());
        Assert.Equal("assistant", Message(body).GetProperty("role").GetString());
        Assert.Equal("Hello there", Message(body).GetProperty("content").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        var usage = body.GetProperty("usage");
        Assert.Equal(9, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(8, usage.GetProperty("completion_tokens").GetInt32()); // 5 visible + 3 thinking
        Assert.Equal(17, usage.GetProperty("total_tokens").GetInt32());
        Assert.Equal(2, usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
        Assert.Equal(3, usage.GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt32());
    }

    [Fact]
    public async Task TrickyText_RoundTripsExactly()
    {
        const string Escaped = "She said \\\"hi\\\" \\\\ C:\\\\path\\nnew line\\ttab 😀 \\ud83d\\ude80 中文 日本語 </script><b>&amp;</b> \\u2028";
        var body = await CompleteAsync(TextResponse(Escaped));

        Assert.Equal("She said \"hi\" \\ C:\\path\nnew line\ttab 😀 🚀 中文 日本語 </script><b>&amp;</b> \u2028",
            Message(body).GetProperty("content").GetString());
    }

    [Fact]
    public async Task FunctionCalls_BecomeToolCallsWithSynthesizedIdsAndStringArguments()
    {
        const string Upstream1 = """
            [{"content":{"parts":[{"text":"Checking."},
              {"functionCall":{"name":"get_weather","args":{"city":"Paris","note":"say \"hi\"\n","days":[1,2]}}},
              {"functionCall":{"name":"get_time","args":{}}}],"role":"model"},"finishReason":"STOP","index":0}]
            """;
        var body = await CompleteAsync(Response(Upstream1));

        var message = Message(body);
        Assert.Equal("Checking.", message.GetProperty("content").GetString());
        Assert.Equal("tool_calls", body.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        var calls = message.GetProperty("tool_calls");
        Assert.Equal(2, calls.GetArrayLength());
        var first = calls[0];
        Assert.Equal("function", first.GetProperty("type").GetString());
        Assert.Equal("get_weather", first.GetProperty("function").GetProperty("name").GetString());
        var arguments = first.GetProperty("function").GetProperty("arguments");
        Assert.Equal(JsonValueKind.String, arguments.ValueKind);
        var args = JsonDocument.Parse(arguments.GetString()!).RootElement;
        Assert.Equal("Paris", args.GetProperty("city").GetString());
        Assert.Equal("say \"hi\"\n", args.GetProperty("note").GetString());
        Assert.Equal(2, args.GetProperty("days")[1].GetInt32());
        Assert.Equal("{}", calls[1].GetProperty("function").GetProperty("arguments").GetString());

        var ids = calls.EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToList();
        Assert.All(ids, id => Assert.Matches("^call_[0-9a-f]{16}$", id));
        Assert.NotEqual(ids[0], ids[1]);

        // Same response, same ids: a retry or replay does not renumber the calls.
        var again = await CompleteAsync(Response(Upstream1));
        Assert.Equal(ids, Message(again).GetProperty("tool_calls").EnumerateArray().Select(c => c.GetProperty("id").GetString()!));
        // Another response, other ids.
        var other = await CompleteAsync(Response(Upstream1, responseId: "resp-other"));
        Assert.NotEqual(ids[0], Message(other).GetProperty("tool_calls")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task OnlyFunctionCall_HasNullContent()
    {
        var body = await CompleteAsync(Response("""[{"content":{"parts":[{"functionCall":{"name":"f","args":{"a":1}}}],"role":"model"},"finishReason":"STOP"}]"""));

        Assert.Equal(JsonValueKind.Null, Message(body).GetProperty("content").ValueKind);
        Assert.Equal("{\"a\":1}", Message(body).GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetString());
    }

    [Fact]
    public async Task FunctionCallWithThoughtSignature_CarriesItInTheId()
    {
        var body = await CompleteAsync(Response("""[{"content":{"parts":[{"functionCall":{"name":"f","args":{}},"thoughtSignature":"CiQBVKhc7g+/="}],"role":"model"},"finishReason":"STOP"}]"""));

        var id = Message(body).GetProperty("tool_calls")[0].GetProperty("id").GetString()!;
        Assert.Matches("^call_[0-9a-f]{16}__thought__CiQBVKhc7g\\+/=$", id);
    }

    [Fact]
    public async Task ThoughtParts_BecomeReasoningContent()
    {
        var body = await CompleteAsync(Response("""
            [{"content":{"parts":[{"text":"Let me think about \"this\".","thought":true},{"text":"The answer is 4."}],"role":"model"},"finishReason":"STOP","index":0}]
            """));

        Assert.Equal("The answer is 4.", Message(body).GetProperty("content").GetString());
        Assert.Equal("Let me think about \"this\".", Message(body).GetProperty("reasoning_content").GetString());
    }

    [Theory]
    [InlineData("STOP", "stop")]
    [InlineData("MAX_TOKENS", "length")]
    [InlineData("SAFETY", "content_filter")]
    [InlineData("RECITATION", "content_filter")]
    [InlineData("BLOCKLIST", "content_filter")]
    [InlineData("PROHIBITED_CONTENT", "content_filter")]
    [InlineData("SPII", "content_filter")]
    [InlineData("OTHER", "stop")]
    public async Task FinishReason_MapsToOpenAi(string gemini, string openAi)
    {
        var body = await CompleteAsync(TextResponse("x", gemini));

        Assert.Equal(openAi, body.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task BlockedPrompt_IsContentFilterWithEmptyContent()
    {
        var body = await CompleteAsync("""
            {"promptFeedback":{"blockReason":"SAFETY","safetyRatings":[{"category":"HARM_CATEGORY_HARASSMENT","probability":"HIGH"}]},"usageMetadata":{"promptTokenCount":12,"totalTokenCount":12},"responseId":"blocked-1"}
            """);

        var choice = body.GetProperty("choices")[0];
        Assert.Equal("content_filter", choice.GetProperty("finish_reason").GetString());
        Assert.Equal("", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(12, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task TwoCandidates_BecomeTwoChoices()
    {
        var body = await CompleteAsync(Response("""
            [{"content":{"parts":[{"text":"first"}],"role":"model"},"finishReason":"STOP"},
             {"content":{"parts":[{"text":"second"}],"role":"model"},"finishReason":"MAX_TOKENS","index":1}]
            """), UserMessage(""","n":2"""));

        Assert.Equal(2, Sent.GetProperty("generationConfig").GetProperty("candidateCount").GetInt32());
        var choices = body.GetProperty("choices");
        Assert.Equal(2, choices.GetArrayLength());
        Assert.Equal(0, choices[0].GetProperty("index").GetInt32());
        Assert.Equal("first", choices[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(1, choices[1].GetProperty("index").GetInt32());
        Assert.Equal("second", choices[1].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("length", choices[1].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task OddPartsInResponse_AreSkipped()
    {
        var body = await CompleteAsync(Response("""[{"content":{"parts":[7,{"text":"fine"},{"functionCall":"nope"}],"role":"model"},"finishReason":"STOP"}]"""));

        Assert.Equal("fine", Message(body).GetProperty("content").GetString());
        Assert.False(Message(body).TryGetProperty("tool_calls", out _));
        Assert.Equal("stop", body.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task MalformedUpstreamBody_Is502()
    {
        Upstream.RespondJson("""{"candidates":[{"content":""");

        using var response = await ChatAsync(UserMessage());

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("api_error", Error(await JsonAsync(response)).GetProperty("type").GetString());
    }
}
