using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Api;

public sealed class OpenAiStreamingTests : IAsyncLifetime
{
    private FakeUpstream _upstream = null!;
    private TestGateway _gateway = null!;

    private static string Chunk(string delta, string? finish = null) =>
        $"data: {{\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"created\":1727346182,\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{{\"index\":0,\"delta\":{delta},\"logprobs\":null,\"finish_reason\":{(finish is null ? "null" : $"\"{finish}\"")}}}],\"usage\":null}}\n\n";

    private const string UsageChunk =
        "data: {\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"created\":1727346182,\"model\":\"gpt-4o-2024-08-06\",\"choices\":[],\"usage\":{\"prompt_tokens\":44,\"completion_tokens\":16,\"total_tokens\":60}}\n\n";

    private static readonly string[] TextStream =
    [
        Chunk("{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}"),
        Chunk("{\"content\":\"Tab\\there, quote \\\" and \\\\ backslash\"}"),
        Chunk("{\"content\":\"\\n😀 中文 </script>\"}"),
        Chunk("{}", "stop"),
        UsageChunk,
        "data: [DONE]\n\n",
    ];

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync($"""
            - model_name: my-gpt
              litellm_params:
                model: openai/gpt-4o-2024-08-06
                api_base: {_upstream.Url}/v1
                api_key: sk-upstream
            # Only the stall test uses the tight timeout: a loaded CI box can pause 0.5 s anywhere else.
            - model_name: tight
              litellm_params:
                model: openai/gpt-4o-2024-08-06
                api_base: {_upstream.Url}/v1
                api_key: sk-upstream
                stream_timeout: 0.5
            """, "router_settings:\n  num_retries: 0\n");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private async Task<string> StreamAsync(string body)
    {
        using var response = await _gateway.PostStreamAsync("/v1/chat/completions", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/event-stream", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        return await response.Content.ReadAsStringAsync();
    }

    private const string StreamRequest = """{"model":"my-gpt","stream":true,"messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public async Task Stream_RelaysTextExactlyWithClientModelName()
    {
        _upstream.RespondStream(TextStream);

        var body = await StreamAsync(StreamRequest);

        Assert.Equal("Tab\there, quote \" and \\ backslash\n😀 中文 </script>", Sse.Text(body));
        Assert.All(Sse.Chunks(body), c => Assert.Equal("my-gpt", c.GetProperty("model").GetString()));
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamWithoutUsageRequest_AsksUpstreamButDoesNotForwardUsageChunk()
    {
        _upstream.RespondStream(TextStream);

        var body = await StreamAsync(StreamRequest);

        using var sent = _upstream.LastRequest.Json();
        Assert.True(sent.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.DoesNotContain(Sse.Chunks(body), c => c.GetProperty("choices").GetArrayLength() == 0);
    }

    [Fact]
    public async Task StreamWithUsageRequest_ForwardsUsageChunkBeforeDone()
    {
        _upstream.RespondStream(TextStream);

        var body = await StreamAsync("""{"model":"my-gpt","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""");

        var last = Sse.Chunks(body)[^1];
        Assert.Equal(0, last.GetProperty("choices").GetArrayLength());
        Assert.Equal(60, last.GetProperty("usage").GetProperty("total_tokens").GetInt32());
    }

    [Theory]
    [InlineData("\"stream_options\":null,")]
    [InlineData("\"stream_options\":{},")]
    [InlineData("\"stream_options\":{\"include_usage\":false},")]
    [InlineData("\"stream_options\":{\"include_obfuscation\":false},")]
    public async Task ClientStreamOptions_AreCompletedWithIncludeUsage(string options)
    {
        _upstream.RespondStream(TextStream);

        var body = await StreamAsync("{\"model\":\"my-gpt\",\"stream\":true," + options + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        using var sent = _upstream.LastRequest.Json();
        var streamOptions = sent.RootElement.GetProperty("stream_options");
        Assert.True(streamOptions.GetProperty("include_usage").GetBoolean());
        if (options.Contains("include_obfuscation", StringComparison.Ordinal))
            Assert.False(streamOptions.GetProperty("include_obfuscation").GetBoolean());
        Assert.DoesNotContain(Sse.Chunks(body), c => c.GetProperty("choices").GetArrayLength() == 0);
    }

    [Fact]
    public async Task SlowUpstream_FirstChunkReachesClientBeforeUpstreamFinishes()
    {
        var release = new TaskCompletionSource();
        _upstream.Handle(async (c, _) =>
        {
            c.Response.ContentType = "text/event-stream";
            await c.Response.WriteAsync(TextStream[0] + TextStream[1]);
            await c.Response.Body.FlushAsync();
            await release.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await c.Response.WriteAsync(string.Concat(TextStream[2..]));
        });

        using var response = await _gateway.PostStreamAsync("/v1/chat/completions", StreamRequest);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Contains("\"role\":\"assistant\"", first, StringComparison.Ordinal);
        release.SetResult();
        Assert.EndsWith("data: [DONE]\n\n", await reader.ReadToEndAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpstreamClosesBeforeDone_ClientGetsErrorEventAndStreamEnds()
    {
        _upstream.RespondStream(TextStream[..2]);

        var body = await StreamAsync(StreamRequest);

        var last = Sse.Parse(body)[^1].Json;
        Assert.Contains("ended the stream", last.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("[DONE]", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedUpstreamChunk_ClientGetsErrorEvent()
    {
        _upstream.RespondStream([TextStream[0], "data: {\"id\":\"x\",\"choices\":[\n\n", TextStream[3], "data: [DONE]\n\n"]);

        var body = await StreamAsync(StreamRequest);

        var events = Sse.Parse(body);
        Assert.Contains("malformed", events[^1].Json.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, events.Count);
    }

    [Fact]
    public async Task UpstreamInBandError_IsForwardedAndEndsStream()
    {
        _upstream.RespondStream([TextStream[0], "data: {\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n"]);

        var body = await StreamAsync(StreamRequest);

        var last = Sse.Parse(body)[^1].Json;
        Assert.Equal("The server had an error", last.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task UpstreamStallsMidStream_ClientGetsTimeoutErrorEvent()
    {
        _upstream.Handle(async (c, _) =>
        {
            c.Response.ContentType = "text/event-stream";
            await c.Response.WriteAsync(TextStream[0]);
            await c.Response.Body.FlushAsync();
            await Task.Delay(TimeSpan.FromSeconds(5), c.RequestAborted);
        });

        var body = await StreamAsync("""{"model":"tight","stream":true,"messages":[{"role":"user","content":"hi"}]}""");

        var error = Sse.Parse(body)[^1].Json.GetProperty("error");
        Assert.Equal("timeout", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task UpstreamErrorBeforeStream_IsJsonErrorWithUpstreamStatus()
    {
        _upstream.RespondJson("""{"error":{"message":"Rate limit reached for gpt-4o","type":"requests","param":null,"code":"rate_limit_exceeded"}}""", 429,
            new Dictionary<string, string> { ["retry-after"] = "7" });

        using var response = await _gateway.PostJsonAsync("/v1/chat/completions", StreamRequest);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("7", response.Headers.RetryAfter!.ToString());
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("Rate limit reached for gpt-4o", error.GetProperty("message").GetString());
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
    }
}
