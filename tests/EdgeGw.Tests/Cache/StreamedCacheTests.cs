using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Cache;

/// <summary>
/// Streams and the response cache: a streamed answer is stored as it passes and replayed as a
/// stream in the client's format; streamed and plain requests share entries; a stream that did not
/// end well, or is too large, is not kept.
/// </summary>
public sealed class StreamedCacheTests : IAsyncLifetime
{
    private FakeUpstream _upstream = null!;
    private TestGateway _gateway = null!;

    private static string Chunk(string delta, string? finish = null) =>
        $"data: {{\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"created\":1727346182,\"model\":\"gpt-4o\",\"choices\":[{{\"index\":0,\"delta\":{delta},\"logprobs\":null,\"finish_reason\":{(finish is null ? "null" : $"\"{finish}\"")}}}],\"usage\":null}}\n\n";

    private const string UsageChunk =
        "data: {\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"created\":1727346182,\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":44,\"completion_tokens\":16,\"total_tokens\":60}}\n\n";

    private const string Text = "Tab\there, quote \" and \\ backslash\n😀 中文";

    private static readonly string[] TextStream =
    [
        Chunk("{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}"),
        Chunk("{\"content\":\"Tab\\there, quote \\\" and \"}"),
        Chunk("{\"content\":\"\\\\ backslash\\n😀 中文\"}"),
        Chunk("{}", "stop"),
        UsageChunk,
        "data: [DONE]\n\n",
    ];

    private static readonly string[] ToolStream =
    [
        Chunk("{\"role\":\"assistant\",\"content\":null}"),
        Chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}"),
        Chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}"),
        Chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]}"),
        Chunk("{}", "tool_calls"),
        UsageChunk,
        "data: [DONE]\n\n",
    ];

    private const string Completion = """
        {"id":"chatcmpl-7","object":"chat.completion","created":1727346182,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"A plain answer."},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}}
        """;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync(OpenAiDeploymentYaml.Of("my-gpt", _upstream),
            "router_settings:\n  num_retries: 0\nlitellm_settings:\n  cache: true\n  cache_params:\n    type: local\n    max_size_per_item: 2\n");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private static string Request(string content = "hi", string extra = "") =>
        $$"""{"model":"my-gpt","stream":true{{extra}},"messages":[{"role":"user","content":"{{content}}"}]}""";

    private async Task<(string Body, string? CacheKey)> StreamAsync(string path, string body)
    {
        using var response = await _gateway.PostStreamAsync(path, body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/event-stream", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var key = response.Headers.TryGetValues("x-litellm-cache-key", out var values) ? values.Single() : null;
        return (await response.Content.ReadAsStringAsync(), key);
    }

    [Fact]
    public async Task StreamedMissThenStreamedHit_ReplaysSameContentAndOrder()
    {
        _upstream.RespondStream(TextStream);

        var (miss, missKey) = await StreamAsync("/v1/chat/completions", Request());
        var (hit, hitKey) = await StreamAsync("/v1/chat/completions", Request());

        Assert.Single(_upstream.Requests);
        Assert.Null(missKey);
        Assert.NotNull(hitKey);
        Assert.Equal("role content finish:stop done", StreamShape.Of(miss));
        Assert.Equal(StreamShape.Of(miss), StreamShape.Of(hit));
        Assert.Equal(Text, Sse.Text(hit));
        Assert.All(Sse.Chunks(hit), c => Assert.Equal("my-gpt", c.GetProperty("model").GetString()));
    }

    [Fact]
    public async Task StreamedToolCall_ReplaysCallWithArguments()
    {
        _upstream.RespondStream(ToolStream);

        var (miss, _) = await StreamAsync("/v1/chat/completions", Request("weather"));
        var (hit, _) = await StreamAsync("/v1/chat/completions", Request("weather"));

        Assert.Single(_upstream.Requests);
        Assert.Equal(StreamShape.Of(miss), StreamShape.Of(hit));
        Assert.Equal("{\"city\":\"Paris\"}", Sse.ToolArguments(hit));
    }

    [Fact]
    public async Task IncludeUsageOnReplay_SendsUsageChunkBeforeDone()
    {
        _upstream.RespondStream(TextStream);
        const string usage = ",\"stream_options\":{\"include_usage\":true}";

        var (miss, _) = await StreamAsync("/v1/chat/completions", Request(extra: usage));
        var (hit, _) = await StreamAsync("/v1/chat/completions", Request(extra: usage));

        Assert.Single(_upstream.Requests);
        Assert.Equal("role content finish:stop usage done", StreamShape.Of(hit));
        Assert.Equal(StreamShape.Of(miss), StreamShape.Of(hit));
        var last = Sse.Chunks(hit)[^1].GetProperty("usage");
        Assert.Equal(44, last.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(16, last.GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task StreamStoredEntry_AnswersPlainRequestWithCompletion()
    {
        _upstream.RespondStream(TextStream);

        await StreamAsync("/v1/chat/completions", Request());
        using var plain = await _gateway.PostJsonAsync("/v1/chat/completions", Request().Replace("\"stream\":true", "\"stream\":false", StringComparison.Ordinal));

        Assert.Single(_upstream.Requests);
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.True(plain.Headers.Contains("x-litellm-cache-key"));
        var root = JsonDocument.Parse(await plain.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("chat.completion", root.GetProperty("object").GetString());
        Assert.Equal("my-gpt", root.GetProperty("model").GetString());
        Assert.Equal(Text, root.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(16, root.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task PlainStoredEntry_ReplaysAsStream()
    {
        _upstream.RespondJson(Completion);

        using (var plain = await _gateway.PostJsonAsync("/v1/chat/completions", Request().Replace("\"stream\":true", "\"stream\":false", StringComparison.Ordinal)))
            Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        var (hit, key) = await StreamAsync("/v1/chat/completions", Request());

        Assert.Single(_upstream.Requests);
        Assert.NotNull(key);
        Assert.Equal("role content finish:stop done", StreamShape.Of(hit));
        Assert.Equal("A plain answer.", Sse.Text(hit));
    }

    [Fact]
    public async Task MessagesStreamedMissThenHit_ReplaysAnthropicEvents()
    {
        _upstream.RespondStream(TextStream);
        const string body = """{"model":"my-gpt","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"hi"}]}""";

        var (miss, _) = await StreamAsync("/v1/messages", body);
        var (hit, key) = await StreamAsync("/v1/messages", body);

        Assert.Single(_upstream.Requests);
        Assert.NotNull(key);
        Assert.Equal("message_start content_block_start content_block_delta:text_delta content_block_stop message_delta message_stop", StreamShape.Of(hit));
        Assert.Equal(StreamShape.Of(miss), StreamShape.Of(hit));
        Assert.Equal(Text, StreamShape.Text(hit));
        var delta = Sse.Parse(hit).Single(e => e.Name == "message_delta").Json;
        Assert.Equal("end_turn", delta.GetProperty("delta").GetProperty("stop_reason").GetString());
        Assert.Equal(16, delta.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task StreamCutMidway_IsNotCached()
    {
        _upstream.RespondStream(TextStream[..3]);

        var (first, _) = await StreamAsync("/v1/chat/completions", Request());
        var (second, key) = await StreamAsync("/v1/chat/completions", Request());

        Assert.Contains("error", StreamShape.Of(first), StringComparison.Ordinal);
        Assert.Null(key);
        Assert.Equal(2, _upstream.Requests.Count);
    }

    [Fact]
    public async Task StreamWithInBandError_IsNotCached()
    {
        _upstream.RespondStream([TextStream[0], TextStream[1], "data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\",\"code\":\"500\"}}\n\n"]);

        await StreamAsync("/v1/chat/completions", Request());
        var (_, key) = await StreamAsync("/v1/chat/completions", Request());

        Assert.Null(key);
        Assert.Equal(2, _upstream.Requests.Count);
    }

    [Fact]
    public async Task StreamOverEntrySizeLimit_IsNotCached()
    {
        var big = new string('x', 3000); // max_size_per_item: 2 (KB)
        _upstream.RespondStream([TextStream[0], Chunk($"{{\"content\":\"{big}\"}}"), Chunk("{}", "stop"), UsageChunk, "data: [DONE]\n\n"]);

        var (first, _) = await StreamAsync("/v1/chat/completions", Request());
        var (_, key) = await StreamAsync("/v1/chat/completions", Request());

        Assert.Equal(big, Sse.Text(first));
        Assert.Null(key);
        Assert.Equal(2, _upstream.Requests.Count);
    }

    [Fact]
    public async Task NoStoreOnStream_IsNotKept()
    {
        _upstream.RespondStream(TextStream);

        await StreamAsync("/v1/chat/completions", Request(extra: ",\"cache\":{\"no-store\":true}"));
        var (_, key) = await StreamAsync("/v1/chat/completions", Request());

        Assert.Null(key);
        Assert.Equal(2, _upstream.Requests.Count);
    }

    [Fact]
    public async Task NoCacheOnStream_GoesUpstreamAndRefreshesEntry()
    {
        _upstream.RespondStream(TextStream);

        await StreamAsync("/v1/chat/completions", Request());
        var (skipped, skippedKey) = await StreamAsync("/v1/chat/completions", Request(extra: ",\"cache\":{\"no-cache\":true}"));
        var (_, key) = await StreamAsync("/v1/chat/completions", Request());

        Assert.Null(skippedKey);
        Assert.Equal(Text, Sse.Text(skipped));
        Assert.NotNull(key);
        Assert.Equal(2, _upstream.Requests.Count);
    }

    [Fact]
    public async Task StreamedHit_BilledZeroWithCacheHitInSpendLog()
    {
        _upstream.RespondStream(TextStream);

        await StreamAsync("/v1/chat/completions", Request());
        using var hit = await _gateway.PostStreamAsync("/v1/chat/completions", Request());
        await hit.Content.ReadAsStringAsync();

        var id = hit.Headers.GetValues("x-litellm-call-id").Single();
        var row = (await _gateway.GetAdminAsync($"/spend/logs?request_id={id}"))[0];
        Assert.Equal("True", row.GetProperty("cache_hit").GetString());
        Assert.Equal(0m, row.GetProperty("spend").GetDecimal());
        Assert.Equal((44, 16), (row.GetProperty("prompt_tokens").GetInt32(), row.GetProperty("completion_tokens").GetInt32()));
    }
}
