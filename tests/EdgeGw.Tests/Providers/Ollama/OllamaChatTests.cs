using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;
using static EdgeGw.Tests.Providers.Ollama.OllamaWireFixtures;

namespace EdgeGw.Tests.Providers.Ollama;

/// <summary><c>ollama_chat/</c>: OpenAI chat completions served by Ollama's native <c>/api/chat</c>.</summary>
public sealed class OllamaChatTests : OllamaTestBase
{
    private const string StreamRequest = """{"model":"llama-chat","messages":[{"role":"user","content":"hello"}],"stream":true,"stream_options":{"include_usage":true}}""";

    private static JsonElement Delta(JsonElement chunk) => chunk.GetProperty("choices")[0].GetProperty("delta");

    [Fact]
    public async Task ChatRequest_TranslatesToNativeApiChat()
    {
        Upstream.RespondJson(ChatResponse);

        using var response = await ChatAsync("""
            {"model":"llama-chat","max_tokens":50,"temperature":0.2,"top_p":0.9,"seed":7,"stop":"END","num_ctx":8192,"keep_alive":"10m",
             "response_format":{"type":"json_object"},
             "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
             "tool_choice":"auto",
             "messages":[
              {"role":"developer","content":"Be brief."},
              {"role":"user","content":[{"type":"text","text":"What is "},{"type":"text","text":"this?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,aGVsbG8="}}]},
              {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"sunny"}]}
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/api/chat", Upstream.LastRequest.PathAndQuery);
        Assert.False(Upstream.LastRequest.Headers.ContainsKey("authorization"));
        var sent = Sent;
        Assert.Equal("llama3.2", sent.GetProperty("model").GetString());
        Assert.False(sent.GetProperty("stream").GetBoolean());
        Assert.Equal("json", sent.GetProperty("format").GetString());
        Assert.Equal("10m", sent.GetProperty("keep_alive").GetString());
        Assert.False(sent.TryGetProperty("tool_choice", out _));
        Assert.Equal("get_weather", sent.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString());
        var options = sent.GetProperty("options");
        Assert.Equal(50, options.GetProperty("num_predict").GetInt32());
        Assert.Equal(0.2, options.GetProperty("temperature").GetDouble());
        Assert.Equal(0.9, options.GetProperty("top_p").GetDouble());
        Assert.Equal(7, options.GetProperty("seed").GetInt32());
        Assert.Equal(8192, options.GetProperty("num_ctx").GetInt32());
        Assert.Equal(["END"], options.GetProperty("stop").EnumerateArray().Select(s => s.GetString()));

        var messages = sent.GetProperty("messages");
        Assert.Equal(["system", "user", "assistant", "tool"], messages.EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        Assert.Equal("Be brief.", messages[0].GetProperty("content").GetString());
        Assert.Equal("What is this?", messages[1].GetProperty("content").GetString());
        Assert.Equal("aGVsbG8=", messages[1].GetProperty("images")[0].GetString());
        var call = messages[2].GetProperty("tool_calls")[0].GetProperty("function");
        Assert.Equal("get_weather", call.GetProperty("name").GetString());
        Assert.Equal("Paris", call.GetProperty("arguments").GetProperty("city").GetString());
        Assert.Equal("get_weather", messages[3].GetProperty("tool_name").GetString());
        Assert.Equal("sunny", messages[3].GetProperty("content").GetString());
    }

    [Fact]
    public async Task ChatResponse_BecomesCompletionWithUsageFromEvalCounts()
    {
        Upstream.RespondJson(ChatResponse);

        using var response = await ChatAsync("""{"model":"llama-chat","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        Assert.Equal("llama-chat", body.GetProperty("model").GetString());
        Assert.Equal("Hello \"there\" ✓\n", Message(body).GetProperty("content").GetString());
        Assert.Equal("user greets", Message(body).GetProperty("reasoning_content").GetString());
        Assert.Equal("stop", body.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        var usage = body.GetProperty("usage");
        Assert.Equal(26, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(298, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(324, usage.GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task ModelNamedLikeAPricedOne_CostsNothingOnOllama()
    {
        Upstream.RespondJson(ChatResponse);

        using var response = await ChatAsync("""{"model":"gpt-local","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("gpt-4o:latest", Sent.GetProperty("model").GetString());
        Assert.Equal(0m, decimal.Parse(response.Headers.GetValues("x-litellm-response-cost").Single(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task NonStreamToolCall_ArgumentsBecomeJsonString()
    {
        Upstream.RespondJson("""{"model":"llama3.2","created_at":"2026-11-30T10:00:00.5Z","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Tokyo"}}},{"id":"call_x9","function":{"index":1,"name":"get_time","arguments":{}}}]},"done_reason":"stop","done":true,"prompt_eval_count":169,"eval_count":15}""");

        using var response = await ChatAsync("""{"model":"llama-chat","messages":[{"role":"user","content":"weather?"}],"tools":[{"type":"function","function":{"name":"get_weather"}}]}""");

        var body = await JsonAsync(response);
        var message = Message(body);
        Assert.Equal(JsonValueKind.Null, message.GetProperty("content").ValueKind);
        var calls = message.GetProperty("tool_calls");
        Assert.Equal("""{"city":"Tokyo"}""", calls[0].GetProperty("function").GetProperty("arguments").GetString());
        Assert.Matches("^call_[0-9a-f]{16}$", calls[0].GetProperty("id").GetString());
        Assert.Equal("call_x9", calls[1].GetProperty("id").GetString());
        Assert.Equal("{}", calls[1].GetProperty("function").GetProperty("arguments").GetString());
        Assert.Equal("tool_calls", body.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task StreamText_RoleFirstExactTextThenUsageAndDone()
    {
        RespondNdjson(ChatLine("The"), ChatLine(" sky \\\"is\\\" blue 😀\\n"), ChatLine("."), ChatDone());

        var body = await StreamAsync(StreamRequest);

        Assert.True(Sent.GetProperty("stream").GetBoolean());
        var chunks = Sse.Chunks(body);
        Assert.Equal("assistant", Delta(chunks[0]).GetProperty("role").GetString());
        Assert.Equal("The sky \"is\" blue 😀\n.", Sse.Text(body));
        Assert.All(chunks, c => Assert.Equal("llama-chat", c.GetProperty("model").GetString()));
        Assert.Single(chunks.Select(c => c.GetProperty("id").GetString()).Distinct());
        Assert.Equal("stop", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        var usage = chunks[^1].GetProperty("usage");
        Assert.Equal(26, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(282, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal("[DONE]", Sse.Parse(body)[^1].Data);
    }

    [Fact]
    public async Task StreamLinesSplitAnywhere_StillDecode()
    {
        var whole = ChatLine("multi-byte é 中 😀 ") + ChatLine("split") + ChatDone("length");
        var bytes = System.Text.Encoding.UTF8.GetBytes(whole);
        Upstream.Handle(async (c, _) =>
        {
            c.Response.ContentType = "application/x-ndjson";
            for (var at = 0; at < bytes.Length; at += 7)
            {
                await c.Response.Body.WriteAsync(bytes.AsMemory(at, Math.Min(7, bytes.Length - at)));
                await c.Response.Body.FlushAsync();
            }
        });

        var body = await StreamAsync(StreamRequest);

        Assert.Equal("multi-byte é 中 😀 split", Sse.Text(body));
        Assert.Equal("length", Sse.Chunks(body)[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task StreamToolCall_ArgumentsAsJsonStringWithStableId()
    {
        RespondNdjson(ToolCallLine, ChatDone(prompt: 169, eval: 15));

        var first = await StreamAsync(StreamRequest);
        var second = await StreamAsync(StreamRequest);

        var calls = Sse.Chunks(first).Where(c => c.GetProperty("choices").GetArrayLength() > 0).Select(Delta).Where(d => d.TryGetProperty("tool_calls", out _)).Select(d => d.GetProperty("tool_calls")[0]).ToList();
        var id = calls[0].GetProperty("id").GetString();
        Assert.Matches("^call_[0-9a-f]{16}$", id);
        Assert.Equal("get_weather", calls[0].GetProperty("function").GetProperty("name").GetString());
        var arguments = string.Concat(calls.Select(c => c.GetProperty("function").GetProperty("arguments").GetString()));
        Assert.Equal("""{"city":"Tokyo","unit":"c \"deg\""}""", arguments);
        Assert.Equal("Tokyo", JsonDocument.Parse(arguments).RootElement.GetProperty("city").GetString());
        Assert.Equal("tool_calls", Sse.Chunks(first)[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Contains(id!, second, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MidStreamErrorLine_ClientGetsErrorEventAfterText()
    {
        RespondNdjson(ChatLine("Yes"), ChatLine("."), """{"error":"an error was encountered while running the model"}""" + "\n");

        var body = await StreamAsync(StreamRequest);

        Assert.Equal("Yes.", Sse.Text(body));
        var last = Sse.Parse(body)[^1].Json;
        Assert.Equal("an error was encountered while running the model", last.GetProperty("error").GetProperty("message").GetString());
        Assert.DoesNotContain("[DONE]", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamEndsBeforeDone_ClientGetsErrorEvent()
    {
        RespondNdjson(ChatLine("partial"));

        var body = await StreamAsync(StreamRequest);

        Assert.Equal("partial", Sse.Text(body));
        Assert.Contains("before it was complete", Sse.Parse(body)[^1].Json.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelNotPulled_Returns404WithOllamaMessage()
    {
        Upstream.RespondJson(ModelNotFound, 404);

        using var response = await ChatAsync("""{"model":"llama-chat","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = (await JsonAsync(response)).GetProperty("error");
        Assert.Equal("model \"llama3.2\" not found, try pulling it first", error.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData(400, """{"error":"invalid options"}""", "invalid options")]
    [InlineData(500, """{"error":"llama runner process has terminated"}""", "llama runner process has terminated")]
    [InlineData(502, "Bad Gateway", "Bad Gateway")]
    public async Task UpstreamError_KeepsStatusAndMessage(int status, string body, string message)
    {
        Upstream.RespondJson(body, status);

        using var response = await ChatAsync("""{"model":"llama-chat","messages":[{"role":"user","content":"hi"}],"stream":true}""");

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(message, (await JsonAsync(response)).GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task ResponseFormatSchemaAndReasoningEffort_SentAsFormatAndThink()
    {
        Upstream.RespondJson(ChatResponse);

        using var response = await ChatAsync("""
            {"model":"llama-chat","messages":[{"role":"user","content":"hi"}],"reasoning_effort":"low","max_completion_tokens":9,
             "response_format":{"type":"json_schema","json_schema":{"name":"r","schema":{"type":"object","properties":{"a":{"type":"integer"}}}}}}
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("integer", Sent.GetProperty("format").GetProperty("properties").GetProperty("a").GetProperty("type").GetString());
        Assert.True(Sent.GetProperty("think").GetBoolean());
        Assert.Equal(9, Sent.GetProperty("options").GetProperty("num_predict").GetInt32());
    }

    [Fact]
    public async Task UnsupportedParameter_400NamesIt()
    {
        using var response = await ChatAsync("""{"model":"llama-chat","messages":[{"role":"user","content":"hi"}],"logit_bias":{"1":2}}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await JsonAsync(response)).GetProperty("error");
        Assert.Equal("logit_bias", error.GetProperty("param").GetString());
        Assert.Empty(Upstream.Requests);
    }

    [Fact]
    public async Task RemoteImageUrl_400AsksForDataUrl()
    {
        using var response = await ChatAsync("""{"model":"llama-chat","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("data: URL", (await JsonAsync(response)).GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embeddings_PostToApiEmbedWithUsageFromPromptEvalCount()
    {
        Upstream.RespondJson("""{"model":"llama3.2","embeddings":[[0.010071029,-0.0017594862,0.05007221],[0.5,0.25,-1]],"total_duration":14143917,"load_duration":1019500,"prompt_eval_count":8}""");

        using var response = await Gateway.PostJsonAsync("/v1/embeddings", """{"model":"llama-chat","input":["Why is the sky blue?","Why is the grass green?"]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/api/embed", Upstream.LastRequest.PathAndQuery);
        Assert.Equal("llama3.2", Sent.GetProperty("model").GetString());
        Assert.Equal(["Why is the sky blue?", "Why is the grass green?"], Sent.GetProperty("input").EnumerateArray().Select(i => i.GetString()));
        var body = await JsonAsync(response);
        Assert.Equal("list", body.GetProperty("object").GetString());
        Assert.Equal(2, body.GetProperty("data").GetArrayLength());
        Assert.Equal(1, body.GetProperty("data")[1].GetProperty("index").GetInt32());
        Assert.Equal(-1, body.GetProperty("data")[1].GetProperty("embedding")[2].GetDouble());
        Assert.Equal(8, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal("llama-chat", body.GetProperty("model").GetString());
    }

    [Theory]
    [InlineData("-8", 0)]
    [InlineData("1e30", 1_000_000_000)]
    public async Task EmbeddingsWithAbsurdPromptEvalCount_AnswerWithTheClampedCount(string count, long expected)
    {
        Upstream.RespondJson($$"""{"model":"llama3.2","embeddings":[[0.5,0.25]],"prompt_eval_count":{{count}}}""");

        using var response = await Gateway.PostJsonAsync("/v1/embeddings", """{"model":"llama-chat","input":"hi"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, (await JsonAsync(response)).GetProperty("usage").GetProperty("prompt_tokens").GetInt64());
    }

    [Fact]
    public async Task EmbeddingsOnMissingModel_Returns404()
    {
        Upstream.RespondJson(ModelNotFound, 404);

        using var response = await Gateway.PostJsonAsync("/v1/embeddings", """{"model":"llama-local","input":"hi"}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("/api/embed", Upstream.LastRequest.PathAndQuery);
        Assert.Equal("llama3.3:8b", Sent.GetProperty("model").GetString());
    }

    [Fact]
    public async Task MessagesOnOllamaChat_AnswersAnthropicMessage()
    {
        Upstream.RespondJson(ChatResponse);

        using var response = await MessagesAsync("""{"model":"llama-chat","max_tokens":100,"system":"Be brief.","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/api/chat", Upstream.LastRequest.PathAndQuery);
        Assert.Equal("system", Sent.GetProperty("messages")[0].GetProperty("role").GetString());
        Assert.Equal(100, Sent.GetProperty("options").GetProperty("num_predict").GetInt32());
        var body = await JsonAsync(response);
        Assert.Equal("message", body.GetProperty("type").GetString());
        var text = body.GetProperty("content").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "text");
        Assert.Equal("Hello \"there\" ✓\n", text.GetProperty("text").GetString());
        Assert.Equal("end_turn", body.GetProperty("stop_reason").GetString());
        Assert.Equal(298, body.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task MessagesStreamOnOllamaChat_AnthropicEventsWithToolUse()
    {
        RespondNdjson(ChatLine("Checking."), ToolCallLine, ChatDone(prompt: 169, eval: 15));

        using var response = await MessagesAsync("""{"model":"llama-chat","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"weather in Tokyo?"}],"tools":[{"name":"get_weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = Sse.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("message_start", events[0].Name);
        Assert.Equal("message_stop", events[^1].Name);
        var toolStart = events.Single(e => e.Name == "content_block_start" && e.Json.GetProperty("content_block").GetProperty("type").GetString() == "tool_use");
        Assert.Equal("get_weather", toolStart.Json.GetProperty("content_block").GetProperty("name").GetString());
        var input = string.Concat(events.Where(e => e.Name == "content_block_delta" && e.Json.GetProperty("delta").GetProperty("type").GetString() == "input_json_delta")
            .Select(e => e.Json.GetProperty("delta").GetProperty("partial_json").GetString()));
        Assert.Equal("Tokyo", JsonDocument.Parse(input).RootElement.GetProperty("city").GetString());
        var delta = events.Single(e => e.Name == "message_delta").Json;
        Assert.Equal("tool_use", delta.GetProperty("delta").GetProperty("stop_reason").GetString());
        Assert.Equal(15, delta.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task EscapedTextParts_JoinIntoOneContentAsTheClientMeantIt()
    {
        Upstream.RespondJson(ChatResponse);

        using var response = await ChatAsync("""
            {"model":"llama-chat","messages":[{"role":"user","content":[{"type":"text","text":"say \"caf\u00e9\"\n"},{"type":"text","text":"\ud83d\ude00 \\ done"}]}]}
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("say \"café\"\n😀 \\ done", Sent.GetProperty("messages")[0].GetProperty("content").GetString());
    }
}
