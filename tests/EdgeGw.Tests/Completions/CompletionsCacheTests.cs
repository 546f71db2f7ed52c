using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;
using static EdgeGw.Tests.Providers.Anthropic.AnthropicWireFixtures;

namespace EdgeGw.Tests.Completions;

/// <summary>/v1/completions and the response cache: passed-through and bridged answers, streamed or not, served from it.</summary>
public sealed class CompletionsCacheTests : IAsyncLifetime
{
    private FakeUpstream _openai = null!;
    private FakeUpstream _anthropic = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _openai = await FakeUpstream.StartAsync();
        _anthropic = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync($"""
            - model_name: vllm
              litellm_params:
                model: openai/qwen-coder
                api_base: {_openai.Url}/v1
            - model_name: claude
              litellm_params:
                model: anthropic/claude-sonnet-4-5-20250929
                api_base: {_anthropic.Url}
                api_key: sk-ant-up
            """, "router_settings:\n  num_retries: 0\nlitellm_settings:\n  cache: true\n  cache_params:\n    type: local\n");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _openai.DisposeAsync();
        await _anthropic.DisposeAsync();
    }

    private static readonly string[] TextCompletionStream =
    [
        """data: {"id":"cmpl-1","object":"text_completion","created":1,"model":"qwen-coder","choices":[{"text":"def ","index":0,"logprobs":null,"finish_reason":null}]}""" + "\n\n",
        """data: {"id":"cmpl-1","object":"text_completion","created":1,"model":"qwen-coder","choices":[{"text":"f():\n","index":0,"logprobs":null,"finish_reason":"stop"}]}""" + "\n\n",
        """data: {"id":"cmpl-1","object":"text_completion","created":1,"model":"qwen-coder","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}}""" + "\n\n",
        "data: [DONE]\n\n",
    ];

    private async Task<(HttpResponseMessage Response, JsonElement Body)> PostAsync(string json)
    {
        var response = await _gateway.PostJsonAsync("/v1/completions", json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (response, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
    }

    private async Task<(HttpResponseMessage Response, List<JsonElement> Chunks, string Last)> StreamAsync(string json)
    {
        var response = await _gateway.PostStreamAsync("/v1/completions", json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = Sse.Parse(await response.Content.ReadAsStringAsync());
        return (response, events.Where(e => e.Data != "[DONE]").Select(e => e.Json).ToList(), events[^1].Data);
    }

    private static string Text(JsonElement completion) => completion.GetProperty("choices")[0].GetProperty("text").GetString()!;

    [Fact]
    public async Task BridgedRepeat_SecondServedFromCacheAndBilledAsHit()
    {
        _anthropic.RespondJson(TextMessage("Bonjour"));
        const string request = """{"model":"claude","prompt":"Say hello in French"}""";

        (await PostAsync(request)).Response.Dispose();
        var (hit, body) = await PostAsync(request);

        Assert.Single(_anthropic.Requests);
        Assert.Equal(("text_completion", "Bonjour"), (body.GetProperty("object").GetString(), Text(body)));
        var row = (await _gateway.GetAdminAsync($"/spend/logs?request_id={hit.Headers.GetValues("x-litellm-call-id").Single()}"))[0];
        Assert.Equal(("True", "atext_completion", hit.Headers.GetValues("x-litellm-cache-key").Single()),
            (row.GetProperty("cache_hit").GetString(), row.GetProperty("call_type").GetString(), row.GetProperty("cache_key").GetString()));
        hit.Dispose();
    }

    [Fact]
    public async Task DifferentPrompt_Miss()
    {
        _anthropic.RespondJson(TextMessage("Bonjour"));

        (await PostAsync("""{"model":"claude","prompt":"one"}""")).Response.Dispose();
        (await PostAsync("""{"model":"claude","prompt":"two"}""")).Response.Dispose();

        Assert.Equal(2, _anthropic.Requests.Count);
    }

    [Fact]
    public async Task PassThroughStreamedMiss_ReplayedAsStreamAndAnswersAPlainRequest()
    {
        _openai.RespondStream(TextCompletionStream);
        const string streamed = """{"model":"vllm","prompt":"def","stream":true,"stream_options":{"include_usage":true}}""";

        var (miss, _, _) = await StreamAsync(streamed);
        var (hit, chunks, last) = await StreamAsync(streamed);
        var (plain, body) = await PostAsync("""{"model":"vllm","prompt":"def"}""");

        Assert.Single(_openai.Requests);
        Assert.True(hit.Headers.Contains("x-litellm-cache-key"));
        Assert.Equal("[DONE]", last);
        Assert.All(chunks, c => Assert.Equal("text_completion", c.GetProperty("object").GetString()));
        Assert.Equal("def f():\n", string.Concat(chunks.SelectMany(c => c.GetProperty("choices").EnumerateArray()).Select(c => c.GetProperty("text").GetString())));
        Assert.Equal("stop", chunks.SelectMany(c => c.GetProperty("choices").EnumerateArray())
            .Select(c => c.GetProperty("finish_reason")).Single(f => f.ValueKind == JsonValueKind.String).GetString());
        Assert.Equal(13, chunks[^1].GetProperty("usage").GetProperty("total_tokens").GetInt32());
        Assert.Equal(("def f():\n", 4), (Text(body), body.GetProperty("usage").GetProperty("completion_tokens").GetInt32()));
        miss.Dispose();
        hit.Dispose();
        plain.Dispose();
    }
}
