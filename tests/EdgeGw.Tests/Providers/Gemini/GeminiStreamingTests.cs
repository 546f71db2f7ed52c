using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;
using static EdgeGw.Tests.Providers.Gemini.GeminiWireFixtures;

namespace EdgeGw.Tests.Providers.Gemini;

public sealed class GeminiStreamingTests : GeminiTestBase
{
    private const string StreamRequest = """{"model":"my-gemini","messages":[{"role":"user","content":"hello"}],"stream":true}""";
    private const string StreamWithUsage = """{"model":"my-gemini","messages":[{"role":"user","content":"hello"}],"stream":true,"stream_options":{"include_usage":true}}""";

    private static readonly string[] TextStream =
    [
        Event(TextEvent("The sky")),
        Event(TextEvent(" is blue", usage: """{"promptTokenCount":10,"candidatesTokenCount":3,"totalTokenCount":13}""")),
        Event(TextEvent(" today.", "STOP", FinalUsage)),
    ];

    private static JsonElement Delta(JsonElement chunk) => chunk.GetProperty("choices")[0].GetProperty("delta");

    [Fact]
    public async Task TextStream_RoleFirstTextExactDoneLast()
    {
        Upstream.RespondStream(TextStream);

        var body = await StreamAsync(StreamRequest);

        var events = Sse.Parse(body);
        Assert.Equal("[DONE]", events[^1].Data);
        var chunks = Sse.Chunks(body);
        Assert.Equal("assistant", Delta(chunks[0]).GetProperty("role").GetString());
        Assert.Equal("The sky is blue today.", Sse.Text(body));
        Assert.All(chunks, c =>
        {
            Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString());
            Assert.Equal(ModelName, c.GetProperty("model").GetString());
            Assert.Equal("resp-abc123", c.GetProperty("id").GetString());
        });
        Assert.Equal("stop", chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.DoesNotContain(chunks, c => c.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object);
    }

    [Fact]
    public async Task IncludeUsage_AddsUsageChunkFromLastEvent()
    {
        Upstream.RespondStream(TextStream);

        var body = await StreamAsync(StreamWithUsage);

        var chunks = Sse.Chunks(body);
        var usage = chunks[^1].GetProperty("usage");
        Assert.Equal(0, chunks[^1].GetProperty("choices").GetArrayLength());
        Assert.Equal(9, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(8, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(17, usage.GetProperty("total_tokens").GetInt32());
        Assert.Equal(2, usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
        Assert.Equal(3, usage.GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt32());
        Assert.Equal("[DONE]", Sse.Parse(body)[^1].Data);
    }

    [Fact]
    public async Task TrickyText_StreamsExactly()
    {
        Upstream.RespondStream(
        [
            Event(TextEvent("quote \\\" back\\\\slash \\n new\\ttab ")),
            Event(TextEvent("😀 \\ud83d\\ude80 中文 </script> \\u0007", "STOP")),
        ]);

        var body = await StreamAsync(StreamRequest);

        Assert.Equal("quote \" back\\slash \n new\ttab 😀 🚀 中文 </script> \u0007", Sse.Text(body));
    }

    [Fact]
    public async Task EventsSplitAcrossReads_StillDecode()
    {
        var whole = string.Concat(TextStream);
        var pieces = new List<string>();
        for (var i = 0; i < whole.Length; i += 7)
            pieces.Add(whole.Substring(i, Math.Min(7, whole.Length - i)));
        Upstream.RespondStream(pieces);

        var body = await StreamAsync(StreamRequest);

        Assert.Equal("The sky is blue today.", Sse.Text(body));
        Assert.Equal("[DONE]", Sse.Parse(body)[^1].Data);
    }

    [Fact]
    public async Task FunctionCall_StreamsAsOneCompleteToolCall()
    {
        Upstream.RespondStream([Event(Response("""
            [{"content":{"parts":[{"functionCall":{"name":"get_weather","args":{"city":"Zürich","note":"a \"b\"\n"}}}],"role":"model"},"finishReason":"STOP","index":0}]
            """, responseId: "resp-fc1"))]);

        var body = await StreamAsync(StreamRequest);

        var chunks = Sse.Chunks(body);
        var toolDeltas = chunks.Select(Delta).Where(d => d.TryGetProperty("tool_calls", out _)).Select(d => d.GetProperty("tool_calls")[0]).ToList();
        Assert.Equal(2, toolDeltas.Count);
        var start = toolDeltas[0];
        Assert.Equal(0, start.GetProperty("index").GetInt32());
        Assert.Matches("^call_[0-9a-f]{16}$", start.GetProperty("id").GetString());
        Assert.Equal("function", start.GetProperty("type").GetString());
        Assert.Equal("get_weather", start.GetProperty("function").GetProperty("name").GetString());
        var arguments = string.Concat(toolDeltas.Select(d => d.GetProperty("function").GetProperty("arguments").GetString()));
        var args = JsonDocument.Parse(arguments).RootElement;
        Assert.Equal("Zürich", args.GetProperty("city").GetString());
        Assert.Equal("a \"b\"\n", args.GetProperty("note").GetString());
        Assert.Equal("tool_calls", chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal("[DONE]", Sse.Parse(body)[^1].Data);
    }

    [Fact]
    public async Task TwoFunctionCalls_GetIndexesZeroAndOneWithDistinctIds()
    {
        Upstream.RespondStream(
        [
            Event(Response("""[{"content":{"parts":[{"functionCall":{"name":"a","args":{"x":1}}}],"role":"model"}}]""")),
            Event(Response("""[{"content":{"parts":[{"functionCall":{"name":"b","args":{"y":2}}}],"role":"model"},"finishReason":"STOP"}]""")),
        ]);

        var body = await StreamAsync(StreamRequest);

        var starts = Sse.Chunks(body).Select(Delta)
            .Where(d => d.TryGetProperty("tool_calls", out var t) && t[0].TryGetProperty("id", out _))
            .Select(d => d.GetProperty("tool_calls")[0]).ToList();
        Assert.Equal([0, 1], starts.Select(s => s.GetProperty("index").GetInt32()));
        Assert.Equal(["a", "b"], starts.Select(s => s.GetProperty("function").GetProperty("name").GetString()));
        Assert.NotEqual(starts[0].GetProperty("id").GetString(), starts[1].GetProperty("id").GetString());
    }

    [Fact]
    public async Task ThoughtParts_StreamAsReasoningContent()
    {
        Upstream.RespondStream(
        [
            Event(Response("""[{"content":{"parts":[{"text":"Thinking it over.","thought":true}],"role":"model"}}]""")),
            Event(Response("""[{"content":{"parts":[{"text":"Four."}],"role":"model"},"finishReason":"STOP"}]""")),
        ]);

        var body = await StreamAsync(StreamRequest);

        var reasoning = Sse.Chunks(body).Select(Delta).Where(d => d.TryGetProperty("reasoning_content", out _))
            .Select(d => d.GetProperty("reasoning_content").GetString());
        Assert.Equal(["Thinking it over."], reasoning);
        Assert.Equal("Four.", Sse.Text(body));
    }

    [Fact]
    public async Task BlockedPrompt_FinishesWithContentFilter()
    {
        Upstream.RespondStream([Event("""{"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},"usageMetadata":{"promptTokenCount":5,"totalTokenCount":5},"responseId":"blk"}""")]);

        var body = await StreamAsync(StreamRequest);

        Assert.Equal("content_filter", Sse.Chunks(body)[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal("[DONE]", Sse.Parse(body)[^1].Data);
    }

    [Fact]
    public async Task EofWithoutFinishReason_EndsWithErrorEvent()
    {
        Upstream.RespondStream([Event(TextEvent("partial"))]);

        var body = await StreamAsync(StreamRequest);

        var events = Sse.Parse(body);
        Assert.DoesNotContain(events, e => e.Data == "[DONE]");
        var error = events[^1].Json.GetProperty("error");
        Assert.Equal("api_error", error.GetProperty("type").GetString());
        Assert.Contains("before it was complete", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("partial", Sse.Text(body));
    }

    [Fact]
    public async Task MalformedEvent_EndsWithErrorEvent()
    {
        Upstream.RespondStream([Event(TextEvent("ok")), Event("""{"candidates":[{"content":{"parts":[{"text":"br"""), Event(TextEvent("never", "STOP"))]);

        var body = await StreamAsync(StreamRequest);

        var events = Sse.Parse(body);
        Assert.DoesNotContain(events, e => e.Data == "[DONE]");
        Assert.Contains("malformed", events[^1].Json.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("ok", Sse.Text(body));
    }

    [Fact]
    public async Task InBandErrorEvent_EndsWithErrorEventCarryingUpstreamMessage()
    {
        Upstream.RespondStream([Event(TextEvent("so far")), Event("""{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}""")]);

        var body = await StreamAsync(StreamRequest);

        var events = Sse.Parse(body);
        Assert.DoesNotContain(events, e => e.Data == "[DONE]");
        var error = events[^1].Json.GetProperty("error");
        Assert.Equal("The model is overloaded. Please try again later.", error.GetProperty("message").GetString());
        Assert.Equal("503", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task ErrorStatusServedAsEventStream_IsMappedAsError()
    {
        Upstream.Handle(async (c, _) =>
        {
            c.Response.StatusCode = 404;
            c.Response.ContentType = "text/event-stream";
            await c.Response.WriteAsync("""{"error":{"code":404,"message":"models/gemini-2.5-flash is not found for API version v1beta.","status":"NOT_FOUND"}}""");
        });

        using var response = await Gateway.PostStreamAsync(ChatPath, StreamRequest);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.StartsWith("application/json", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var error = Error(await JsonAsync(response));
        Assert.Equal("models/gemini-2.5-flash is not found for API version v1beta.", error.GetProperty("message").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task MultiTurnWithToolResults_StreamsFinalAnswer()
    {
        Upstream.RespondStream([Event(TextEvent("It is 21°C in Paris.", "STOP"))]);

        var body = await StreamAsync("""
            {"model":"my-gemini","stream":true,"messages":[
              {"role":"user","content":"weather in Paris?"},
              {"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"{\"temp_c\":21}"}]}
            """);

        Assert.Equal("It is 21°C in Paris.", Sse.Text(body));
        var contents = Sent.GetProperty("contents");
        Assert.Equal("get_weather", contents[2].GetProperty("parts")[0].GetProperty("functionResponse").GetProperty("name").GetString());
    }
}
