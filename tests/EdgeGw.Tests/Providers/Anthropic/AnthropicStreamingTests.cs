using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;
using static EdgeGw.Tests.Providers.Anthropic.AnthropicWireFixtures;

namespace EdgeGw.Tests.Providers.Anthropic;

public sealed class AnthropicStreamingTests : AnthropicGatewayTestBase
{
    // These tests are about how one upstream answer reaches the client, not about retries (Routing/ covers those).
    protected override string ExtraYaml => "router_settings:\n  num_retries: 0\n";

    private const string StreamRequest = """{"model":"claude","messages":[{"role":"user","content":"hello"}],"stream":true}""";
    private const string StreamWithUsage = """{"model":"claude","messages":[{"role":"user","content":"hello"}],"stream":true,"stream_options":{"include_usage":true}}""";

    private async Task<string> StreamAsync(IEnumerable<string> upstream, string request = StreamRequest)
    {
        Upstream.RespondStream(upstream);
        using var response = await Gateway.PostStreamAsync("/v1/chat/completions", request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/event-stream", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        return await response.Content.ReadAsStringAsync();
    }

    private static IEnumerable<JsonElement> Deltas(string body) => Sse.Chunks(body)
        .Where(c => c.TryGetProperty("choices", out var ch) && ch.GetArrayLength() > 0)
        .Select(c => c.GetProperty("choices")[0].GetProperty("delta"));

    private static string? LastFinishReason(string body) => Sse.Chunks(body)
        .Where(c => c.TryGetProperty("choices", out var ch) && ch.GetArrayLength() > 0)
        .Select(c => c.GetProperty("choices")[0].GetProperty("finish_reason"))
        .Where(f => f.ValueKind == JsonValueKind.String).Select(f => f.GetString()).LastOrDefault();

    [Fact]
    public async Task TextStream_StartsWithRoleReassemblesTextAndEndsWithDone()
    {
        var body = await StreamAsync(TextStream("Hel", "lo, ", "world", "!"));

        var events = Sse.Parse(body);
        Assert.Equal("[DONE]", events[^1].Data);
        var chunks = Sse.Chunks(body);
        var first = chunks[0].GetProperty("choices")[0].GetProperty("delta");
        Assert.Equal("assistant", first.GetProperty("role").GetString());
        Assert.Equal("Hello, world!", Sse.Text(body));
        Assert.All(chunks, c =>
        {
            Assert.Equal("claude", c.GetProperty("model").GetString());
            Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString());
            Assert.Equal(MessageId, c.GetProperty("id").GetString());
        });
        Assert.Equal("stop", LastFinishReason(body));
        Assert.DoesNotContain(chunks, c => c.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object);
    }

    [Fact]
    public async Task IncludeUsage_AddsUsageChunkBeforeDone()
    {
        var body = await StreamAsync(
            [MessageStart(inputTokens: 20, cacheRead: 100, cacheCreation: 5), TextStart(0), TextDelta(0, "ok"), BlockStop(0), MessageDelta("end_turn", outputTokens: 7), MessageStop],
            StreamWithUsage);

        var chunks = Sse.Chunks(body);
        var usage = chunks[^1].GetProperty("usage");
        Assert.Equal(0, chunks[^1].GetProperty("choices").GetArrayLength());
        Assert.Equal(125, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(7, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(132, usage.GetProperty("total_tokens").GetInt32());
        Assert.Equal(100, usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
        Assert.Equal("[DONE]", Sse.Parse(body)[^1].Data);
    }

    [Fact]
    public async Task ToolCallStream_ReassemblesArgumentsExactly()
    {
        const string arguments = """{"city": "São Paulo", "note": "say \"hi\"\n"}""";
        var body = await StreamAsync(
        [
            MessageStart(), TextStart(0), Ping, TextDelta(0, "Checking."), BlockStop(0),
            ToolStart(1, "toolu_01Stream", "get_weather"), ToolDelta(1, ""),
            ToolDelta(1, arguments[..7]), ToolDelta(1, arguments[7..19]), ToolDelta(1, arguments[19..]), BlockStop(1),
            MessageDelta("tool_use"), MessageStop,
        ]);

        var calls = Deltas(body).Where(d => d.TryGetProperty("tool_calls", out _)).SelectMany(d => d.GetProperty("tool_calls").EnumerateArray()).ToList();
        Assert.Equal("toolu_01Stream", calls[0].GetProperty("id").GetString());
        Assert.Equal("function", calls[0].GetProperty("type").GetString());
        Assert.Equal("get_weather", calls[0].GetProperty("function").GetProperty("name").GetString());
        Assert.All(calls, c => Assert.Equal(0, c.GetProperty("index").GetInt32()));
        Assert.Equal(arguments, string.Concat(calls.Select(c => c.GetProperty("function").GetProperty("arguments").GetString())));
        Assert.Equal("Checking.", Sse.Text(body));
        Assert.Equal("tool_calls", LastFinishReason(body));
    }

    [Fact]
    public async Task ParallelToolCalls_AreNumberedFromZeroIndependentOfBlockIndex()
    {
        var body = await StreamAsync(
        [
            MessageStart(), TextStart(0), TextDelta(0, "Both."), BlockStop(0),
            ToolStart(1, "toolu_A", "get_weather"), ToolDelta(1, """{"city":"""), ToolDelta(1, "\"Paris\"}"), BlockStop(1),
            ToolStart(2, "toolu_B", "get_time"), ToolDelta(2, """{"tz":"Europe/Rome"}"""), BlockStop(2),
            MessageDelta("tool_use"), MessageStop,
        ]);

        var calls = Deltas(body).Where(d => d.TryGetProperty("tool_calls", out _)).SelectMany(d => d.GetProperty("tool_calls").EnumerateArray()).ToList();
        string Args(int index) => string.Concat(calls.Where(c => c.GetProperty("index").GetInt32() == index)
            .Select(c => c.GetProperty("function").GetProperty("arguments").GetString()));
        var starts = calls.Where(c => c.TryGetProperty("id", out _)).ToList();
        Assert.Equal(2, starts.Count);
        Assert.Equal((0, "toolu_A"), (starts[0].GetProperty("index").GetInt32(), starts[0].GetProperty("id").GetString()));
        Assert.Equal((1, "toolu_B"), (starts[1].GetProperty("index").GetInt32(), starts[1].GetProperty("id").GetString()));
        Assert.Equal("""{"city":"Paris"}""", Args(0));
        Assert.Equal("""{"tz":"Europe/Rome"}""", Args(1));
    }

    [Fact]
    public async Task ThinkingStream_BecomesReasoningContentAndSignatureIsNotSent()
    {
        var body = await StreamAsync(
        [
            MessageStart(), ThinkingStart(0), Ping, ThinkingDelta(0, "Greeting; "), ThinkingDelta(0, "be brief."), ThinkingDelta(0, ""),
            SignatureDelta(0), BlockStop(0), TextStart(1), TextDelta(1, "Hi!"), BlockStop(1), MessageDelta("end_turn"), MessageStop,
        ]);

        var reasoning = string.Concat(Deltas(body).Where(d => d.TryGetProperty("reasoning_content", out _)).Select(d => d.GetProperty("reasoning_content").GetString()));
        Assert.Equal("Greeting; be brief.", reasoning);
        Assert.Equal("Hi!", Sse.Text(body));
        Assert.DoesNotContain("RWRnZUd3", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("max_tokens", "length")]
    [InlineData("refusal", "content_filter")]
    [InlineData("stop_sequence", "stop")]
    public async Task StreamStopReason_MapsToFinishReason(string stopReason, string finishReason)
    {
        var body = await StreamAsync([MessageStart(), TextStart(0), TextDelta(0, "x"), BlockStop(0), MessageDelta(stopReason), MessageStop]);

        Assert.Equal(finishReason, LastFinishReason(body));
    }

    [Fact]
    public async Task MidStreamErrorEvent_EndsStreamWithErrorEnvelope()
    {
        var body = await StreamAsync(
        [
            MessageStart(), TextStart(0), TextDelta(0, "Partial"),
            Event("error", """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"""),
            TextDelta(0, " never sent"),
        ]);

        var events = Sse.Parse(body);
        var error = events[^1].Json.GetProperty("error");
        Assert.Equal("Overloaded", error.GetProperty("message").GetString());
        Assert.Equal("overloaded_error", error.GetProperty("type").GetString());
        Assert.Equal("503", error.GetProperty("code").GetString());
        Assert.DoesNotContain(events, e => e.Data == "[DONE]");
        Assert.Equal("Partial", Sse.Text(body));
    }

    [Fact]
    public async Task EofBeforeMessageStop_EndsWithErrorEvent()
    {
        var body = await StreamAsync([MessageStart(), TextStart(0), TextDelta(0, "Cut "), TextDelta(0, "off")]);

        var events = Sse.Parse(body);
        Assert.Equal("Cut off", Sse.Text(body));
        Assert.Contains("ended the stream", events[^1].Json.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => e.Data == "[DONE]");
    }

    [Fact]
    public async Task MalformedEventJson_EndsWithErrorEvent()
    {
        var body = await StreamAsync([MessageStart(), TextStart(0), TextDelta(0, "ok"), Event("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"bro"""), MessageStop]);

        var events = Sse.Parse(body);
        var error = events[^1].Json.GetProperty("error");
        Assert.Contains("malformed", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("502", error.GetProperty("code").GetString());
        Assert.DoesNotContain(events, e => e.Data == "[DONE]");
    }

    [Fact]
    public async Task TrickyText_StreamsExactly()
    {
        var text = AnthropicResponseTests.TrickyText;
        var body = await StreamAsync(TextStream(text[..9], text[9..25], text[25..]));

        Assert.Equal(text, Sse.Text(body));
    }

    [Fact]
    public async Task StreamSplitAnywhere_IsReassembled()
    {
        var whole = string.Concat(TextStream("Split ", "into ", "tiny ", "reads ", "漢字😀"));
        var pieces = new List<string>();
        for (var i = 0; i < whole.Length; i += 5)
        {
            var end = Math.Min(i + 5, whole.Length);
            if (end < whole.Length && char.IsHighSurrogate(whole[end - 1]))
                end++;
            pieces.Add(whole[i..end]);
            i = end - 5;
        }

        var body = await StreamAsync(pieces);

        Assert.Equal("Split into tiny reads 漢字😀", Sse.Text(body));
        Assert.Equal("[DONE]", Sse.Parse(body)[^1].Data);
    }

    [Fact]
    public async Task StreamWithoutEventLines_IsDispatchedOnType()
    {
        var framed = string.Concat(TextStream("no ", "names"));
        var unnamed = string.Join("\n", framed.Split('\n').Where(l => !l.StartsWith("event:", StringComparison.Ordinal)));

        var body = await StreamAsync([unnamed]);

        Assert.Equal("no names", Sse.Text(body));
    }

    [Fact]
    public async Task JsonResponseFormatStream_StreamsToolInputAsContent()
    {
        var body = await StreamAsync(
        [
            MessageStart(), ToolStart(0, "toolu_J", "json_tool_call"), ToolDelta(0, ""), ToolDelta(0, """{"name":"""), ToolDelta(0, "\"Ly\\\"on\"}"), BlockStop(0),
            MessageDelta("tool_use"), MessageStop,
        ], """{"model":"claude","messages":[{"role":"user","content":"city"}],"stream":true,"response_format":{"type":"json_object"}}""");

        Assert.Equal("""{"name":"Ly\"on"}""", Sse.Text(body));
        Assert.DoesNotContain(Deltas(body), d => d.TryGetProperty("tool_calls", out _));
        Assert.Equal("stop", LastFinishReason(body));
    }

    [Fact]
    public async Task UpstreamErrorBeforeStream_IsEnvelopeWithStatus()
    {
        Upstream.RespondJson(Error("rate_limit_error", "Slow down"), 429, new Dictionary<string, string> { ["retry-after"] = "7" });
        using var response = await Gateway.PostStreamAsync("/v1/chat/completions", StreamRequest);

        Assert.Equal((HttpStatusCode)429, response.StatusCode);
        Assert.Equal("7", response.Headers.RetryAfter!.ToString());
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("Slow down", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task MultipleEvents_InOneRead_AreAllTranslated()
    {
        var body = await StreamAsync([string.Concat(TextStream("a", "b", "c", "d"))]);

        Assert.Equal("abcd", Sse.Text(body));
        Assert.Equal(4, Deltas(body).Count(d => d.TryGetProperty("content", out var c) && c.GetString()!.Length == 1));
    }
}
