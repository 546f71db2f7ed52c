using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;
using static EdgeGw.Tests.Bedrock.BedrockWireFixtures;

namespace EdgeGw.Tests.Bedrock;

/// <summary>ConverseStream (binary event-stream frames) relayed to OpenAI, Anthropic and Responses clients.</summary>
public sealed class BedrockStreamingTests : BedrockTestBase
{
    protected override string ExtraYaml => "router_settings:\n  num_retries: 0\n";

    private const string StreamRequest = """{"model":"my-bedrock","messages":[{"role":"user","content":"hello"}],"stream":true}""";
    private const string StreamWithUsage = """{"model":"my-bedrock","messages":[{"role":"user","content":"hello"}],"stream":true,"stream_options":{"include_usage":true}}""";

    private static JsonElement Delta(JsonElement chunk) => chunk.GetProperty("choices")[0].GetProperty("delta");

    [Fact]
    public async Task TextStream_ChunksInOrderThenStopAndDone()
    {
        RespondFrames(TextStream("The sky", " is \\\"blue\\\"", " 中 😀"));

        var body = await StreamAsync(StreamRequest);

        Assert.Equal("/model/us.anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream", RawTargets.Single());
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", Upstream.LastRequest.Headers["authorization"], StringComparison.Ordinal);
        var chunks = Sse.Chunks(body);
        Assert.Equal("assistant", Delta(chunks[0]).GetProperty("role").GetString());
        Assert.Equal("The sky is \"blue\" 中 😀", Sse.Text(body));
        Assert.Equal("stop", chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.All(chunks, c => Assert.Equal(ModelName, c.GetProperty("model").GetString()));
        Assert.Equal("[DONE]", Sse.Parse(body)[^1].Data);
    }

    [Fact]
    public async Task IncludeUsage_UsageChunkFromTheMetadataEvent()
    {
        RespondFrames([MessageStart(), TextDelta("ok"), BlockStop(0), MessageStop("end_turn"),
            Metadata("""{"inputTokens":20,"outputTokens":4,"totalTokens":124,"cacheReadInputTokens":100}""")]);

        var body = await StreamAsync(StreamWithUsage);

        var usage = Sse.Chunks(body)[^1].GetProperty("usage");
        Assert.Equal(120, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(4, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(100, usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
    }

    [Fact]
    public async Task ToolUseStream_ToolCallStartThenArgumentFragments()
    {
        RespondFrames([MessageStart(), TextDelta("Checking."), BlockStop(0),
            ToolStart(1, "tooluse_w1", "get_weather"), ToolInput(1, "{\\\"city\\\":"), ToolInput(1, "\\\"Paris\\\"}"), BlockStop(1),
            ToolStart(2, "tooluse_w2", "get_time"), ToolInput(2, "{}"), BlockStop(2),
            MessageStop("tool_use"), Metadata()]);

        var body = await StreamAsync("""{"model":"my-bedrock","messages":[{"role":"user","content":"hi"}],"stream":true,"tools":[{"type":"function","function":{"name":"get_weather"}},{"type":"function","function":{"name":"get_time"}}]}""");

        var starts = Sse.Chunks(body).Select(Delta)
            .Where(d => d.TryGetProperty("tool_calls", out var t) && t[0].TryGetProperty("id", out _))
            .Select(d => d.GetProperty("tool_calls")[0]).ToList();
        Assert.Equal([("tooluse_w1", "get_weather", 0), ("tooluse_w2", "get_time", 1)],
            starts.Select(s => (s.GetProperty("id").GetString(), s.GetProperty("function").GetProperty("name").GetString(), s.GetProperty("index").GetInt32())));
        Assert.Equal("""{"city":"Paris"}""", Sse.ToolArguments(body).Replace("{}", "", StringComparison.Ordinal));
        Assert.Equal("tool_calls", Sse.Chunks(body)[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal("Checking.", Sse.Text(body));
    }

    [Fact]
    public async Task ReasoningStream_ReasoningContentDeltas()
    {
        RespondFrames([MessageStart(), ReasoningDelta("Let me think."), BlockStop(0), TextDelta("42", 1), BlockStop(1), MessageStop("end_turn"), Metadata()]);

        var body = await StreamAsync(StreamRequest);

        var reasoning = string.Concat(Sse.Chunks(body).Select(Delta)
            .Select(d => d.TryGetProperty("reasoning_content", out var r) ? r.GetString() : ""));
        Assert.Equal("Let me think.", reasoning);
        Assert.Equal("42", Sse.Text(body));
    }

    [Fact]
    public async Task ThrottlingExceptionMidStream_InBandRateLimitErrorAfterTheText()
    {
        RespondFrames(MessageStart(), TextDelta("partial"), AwsEventStreamFrames.Exception("throttlingException", "Too many tokens, please wait before trying again."));

        var body = await StreamAsync(StreamRequest);

        Assert.Equal("partial", Sse.Text(body));
        var last = Sse.Parse(body).Last(e => e.Data != "[DONE]").Json;
        var error = last.GetProperty("error");
        Assert.Equal("rate_limit_error", error.GetProperty("type").GetString());
        Assert.Equal("429", error.GetProperty("code").ToString());
    }

    [Fact]
    public async Task StreamCutBeforeMessageStop_InBandErrorNotAStop()
    {
        RespondFrames(MessageStart(), TextDelta("partial"));

        var body = await StreamAsync(StreamRequest);

        Assert.Contains(Sse.Chunks(body), c => c.TryGetProperty("error", out _));
        Assert.DoesNotContain(Sse.Chunks(body), c => c.TryGetProperty("choices", out var ch) && ch.GetArrayLength() > 0
            && ch[0].TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String);
    }

    [Fact]
    public async Task AnthropicClientStream_GetsMessagesEvents()
    {
        RespondFrames([MessageStart(), TextDelta("Hi"), TextDelta(" there"), BlockStop(0), MessageStop("max_tokens"),
            Metadata("""{"inputTokens":9,"outputTokens":2,"totalTokens":11}""")]);

        var body = await StreamAsync("""{"model":"my-bedrock","max_tokens":2,"messages":[{"role":"user","content":"hello"}],"stream":true}""", "/v1/messages");

        var events = Sse.Parse(body);
        Assert.Equal("message_start", events[0].Name);
        Assert.Equal("message_stop", events[^1].Name);
        Assert.Equal("Hi there", string.Concat(events.Where(e => e.Name == "content_block_delta")
            .Select(e => e.Json.GetProperty("delta").GetProperty("text").GetString())));
        var delta = events.Single(e => e.Name == "message_delta").Json;
        Assert.Equal("max_tokens", delta.GetProperty("delta").GetProperty("stop_reason").GetString());
        Assert.Equal(2, delta.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task ResponsesClientStream_GetsOutputTextAndCompleted()
    {
        RespondFrames(TextStream("Hel", "lo"));

        var body = await StreamAsync("""{"model":"my-bedrock","input":"Hi","stream":true}""", "/v1/responses");

        var events = Sse.Parse(body);
        Assert.Equal("Hello", events.Single(e => e.Name == "response.output_text.done").Json.GetProperty("text").GetString());
        Assert.Equal("response.completed", events[^1].Name);
    }

    [Fact]
    public async Task JsonSchemaStream_ToolInputStreamsAsText()
    {
        RespondFrames([MessageStart(), ToolStart(0, "t1", "person"), ToolInput(0, "{\\\"name\\\":"), ToolInput(0, "\\\"Ada\\\"}"), BlockStop(0),
            MessageStop("tool_use"), Metadata()]);

        var body = await StreamAsync("""{"model":"my-bedrock","messages":[{"role":"user","content":"hi"}],"stream":true,"response_format":{"type":"json_schema","json_schema":{"name":"person","schema":{"type":"object"}}}}""");

        Assert.Equal("""{"name":"Ada"}""", Sse.Text(body));
        Assert.Equal("stop", Sse.Chunks(body)[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task ThrottledBeforeTheStream_Is429WithTheBedrockMessage()
    {
        RespondConverse("""{"message":"Too many requests, please wait before trying again."}""", 429, "ThrottlingException");

        using var response = await Gateway.PostStreamAsync(ChatPath, StreamRequest);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var error = (await JsonAsync(response)).GetProperty("error");
        Assert.Equal("rate_limit_error", error.GetProperty("type").GetString());
        Assert.Contains("Too many requests", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
