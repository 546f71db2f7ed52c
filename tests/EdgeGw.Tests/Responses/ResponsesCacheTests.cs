using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Responses;

/// <summary>
/// /v1/responses and the response cache: a stateless turn (<c>store: false</c>, no
/// <c>previous_response_id</c>) is served from it on pass-through and bridged deployments, under a
/// fresh id, and replayed as a stream with a live stream's event grammar.
/// </summary>
public sealed class ResponsesCacheTests : IAsyncLifetime
{
    private FakeUpstream _openai = null!;
    private FakeUpstream _anthropic = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _openai = await FakeUpstream.StartAsync();
        _anthropic = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync($"""
            - model_name: gpt
              litellm_params:
                model: openai/gpt-4.1-mini
                api_base: {_openai.Url}/v1
                api_key: sk-upstream-secret
            - model_name: claude
              litellm_params:
                model: anthropic/claude-sonnet-4-5
                api_base: {_anthropic.Url}
                api_key: sk-ant-upstream
            """, "router_settings:\n  num_retries: 0\nlitellm_settings:\n  cache: true\n  cache_params:\n    type: local\n");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _openai.DisposeAsync();
        await _anthropic.DisposeAsync();
    }

    private const string AnthropicText = """
        {"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Hi there"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":4}}
        """;

    private const string OpenAiResponse = """
        {"id":"resp_abc123","object":"response","created_at":1741476542,"status":"completed","error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-4.1-mini-2025-04-14","output":[{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi!","annotations":[]}]}],"parallel_tool_calls":true,"previous_response_id":null,"store":false,"temperature":1.0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":{"input_tokens":36,"input_tokens_details":{"cached_tokens":0},"output_tokens":87,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":123},"user":null,"metadata":{}}
        """;

    private static readonly string[] OpenAiStream =
    [
        "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_s1\",\"object\":\"response\",\"created_at\":1741476542,\"status\":\"in_progress\",\"model\":\"gpt-4.1-mini\",\"output\":[],\"usage\":null}}\n\n",
        "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":1,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"Streamed hi\"}\n\n",
        "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":2,\"response\":{\"id\":\"resp_s1\",\"object\":\"response\",\"created_at\":1741476542,\"status\":\"completed\",\"model\":\"gpt-4.1-mini\",\"output\":[{\"type\":\"message\",\"id\":\"msg_1\",\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"Streamed hi\",\"annotations\":[]}]}],\"usage\":{\"input_tokens\":20,\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":7,\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":27}}}\n\n",
    ];

    private static readonly string[] AnthropicToolStream =
    [
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n",
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Checking\"}}\n\n",
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_9\",\"name\":\"get_weather\",\"input\":{}}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}}\n\n",
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n",
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":9}}\n\n",
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
    ];

    private const string Tools = ""","tools":[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}]""";

    private static string Request(string model, string extra = "") =>
        $$"""{"model":"{{model}}","input":"Hi","store":false{{extra}}}""";

    private async Task<(HttpResponseMessage Response, JsonElement Body)> PostAsync(string json)
    {
        var response = await _gateway.PostJsonAsync("/v1/responses", json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (response, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
    }

    private async Task<(HttpResponseMessage Response, IReadOnlyList<Sse.Event> Events)> StreamAsync(string json)
    {
        var response = await _gateway.PostStreamAsync("/v1/responses", json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (response, Sse.Parse(await response.Content.ReadAsStringAsync()));
    }

    private static string Text(JsonElement response) => response.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString()!;

    [Fact]
    public async Task BridgedRepeat_SecondServedFromCacheUnderFreshId()
    {
        _anthropic.RespondJson(AnthropicText);

        var (miss, first) = await PostAsync(Request("claude"));
        var (hit, second) = await PostAsync(Request("claude"));

        Assert.Single(_anthropic.Requests);
        Assert.Equal(("Hi there", "Hi there"), (Text(first), Text(second)));
        Assert.StartsWith("resp_", second.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.NotEqual(first.GetProperty("id").GetString(), second.GetProperty("id").GetString());
        Assert.Equal("claude", second.GetProperty("model").GetString());
        var missRow = (await _gateway.GetAdminAsync($"/spend/logs?request_id={miss.Headers.GetValues("x-litellm-call-id").Single()}"))[0];
        Assert.Equal(missRow.GetProperty("cache_key").GetString(), hit.Headers.GetValues("x-litellm-cache-key").Single());
        var row = (await _gateway.GetAdminAsync($"/spend/logs?request_id={hit.Headers.GetValues("x-litellm-call-id").Single()}"))[0];
        Assert.Equal(("True", "aresponses", 0m), (row.GetProperty("cache_hit").GetString(), row.GetProperty("call_type").GetString(), row.GetProperty("spend").GetDecimal()));
        Assert.Equal((12, 4), (row.GetProperty("prompt_tokens").GetInt32(), row.GetProperty("completion_tokens").GetInt32()));
        miss.Dispose();
        hit.Dispose();
    }

    [Fact]
    public async Task PassThroughRepeat_SecondServedFromCacheUnderFreshIdAndTime()
    {
        _openai.RespondJson(OpenAiResponse);

        (await PostAsync(Request("gpt"))).Response.Dispose();
        var (hit, second) = await PostAsync(Request("gpt"));

        Assert.Single(_openai.Requests);
        Assert.Equal("Hi!", Text(second));
        Assert.NotEqual("resp_abc123", second.GetProperty("id").GetString());
        Assert.NotEqual(1741476542, second.GetProperty("created_at").GetInt64());
        Assert.Equal(87, second.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        hit.Dispose();
    }

    [Fact]
    public async Task StreamedHit_HasTheFullEventGrammarWithSequenceNumbers()
    {
        _anthropic.RespondStream(AnthropicToolStream);
        var request = Request("claude", ",\"stream\":true" + Tools);

        var (missResponse, miss) = await StreamAsync(request);
        var (hitResponse, hit) = await StreamAsync(request);

        Assert.Single(_anthropic.Requests);
        Assert.True(hitResponse.Headers.Contains("x-litellm-cache-key"));
        Assert.Equal(miss.Select(e => e.Name), hit.Select(e => e.Name));
        Assert.Equal(["response.created", "response.in_progress", "response.output_item.added"], hit.Take(3).Select(e => e.Name));
        Assert.Equal("response.completed", hit[^1].Name);
        Assert.Equal(Enumerable.Range(0, hit.Count), hit.Select(e => e.Json.GetProperty("sequence_number").GetInt32()));
        Assert.Equal(hit.Select(e => e.Json.GetProperty("type").GetString()), hit.Select(e => e.Name));
        var final = hit[^1].Json.GetProperty("response");
        Assert.Equal(hit[0].Json.GetProperty("response").GetProperty("id").GetString(), final.GetProperty("id").GetString());
        Assert.NotEqual(miss[^1].Json.GetProperty("response").GetProperty("id").GetString(), final.GetProperty("id").GetString());
        var call = final.GetProperty("output")[1];
        Assert.Equal(("function_call", "toolu_9", "get_weather", "{\"city\":\"Oslo\"}"),
            (call.GetProperty("type").GetString(), call.GetProperty("call_id").GetString(), call.GetProperty("name").GetString(), call.GetProperty("arguments").GetString()));
        Assert.Equal("Checking", final.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
        missResponse.Dispose();
        hitResponse.Dispose();
    }

    [Fact]
    public async Task PassThroughStreamedMiss_AnswersALaterPlainRequest()
    {
        _openai.RespondStream(OpenAiStream);

        var (missResponse, _) = await StreamAsync(Request("gpt", ",\"stream\":true"));
        var (hit, body) = await PostAsync(Request("gpt"));

        Assert.Single(_openai.Requests);
        Assert.Equal(("Streamed hi", "gpt"), (Text(body), body.GetProperty("model").GetString()));
        Assert.NotEqual("resp_s1", body.GetProperty("id").GetString());
        missResponse.Dispose();
        hit.Dispose();
    }

    [Fact]
    public async Task DifferentInstructions_Miss()
    {
        _anthropic.RespondJson(AnthropicText);

        (await PostAsync(Request("claude", ",\"instructions\":\"Be brief.\""))).Response.Dispose();
        (await PostAsync(Request("claude", ",\"instructions\":\"Be verbose.\""))).Response.Dispose();

        Assert.Equal(2, _anthropic.Requests.Count);
    }

    [Fact]
    public async Task StoredOrContinuedTurn_NeverCached()
    {
        _anthropic.RespondJson(AnthropicText);
        const string stored = """{"model":"claude","input":"Hi"}""";

        var (first, body) = await PostAsync(stored);
        (await PostAsync(stored)).Response.Dispose();
        var followUp = Request("claude", $",\"previous_response_id\":\"{body.GetProperty("id").GetString()}\"");
        (await PostAsync(followUp)).Response.Dispose();
        var (last, _) = await PostAsync(followUp);

        Assert.Equal(4, _anthropic.Requests.Count);
        Assert.False(first.Headers.Contains("x-litellm-cache-key"));
        Assert.False(last.Headers.Contains("x-litellm-cache-key"));
        first.Dispose();
        last.Dispose();
    }

    [Fact]
    public async Task NoCacheControl_GoesUpstreamButStillStores()
    {
        _anthropic.RespondJson(AnthropicText);

        (await PostAsync(Request("claude", ",\"cache\":{\"no-cache\":true}"))).Response.Dispose();
        (await PostAsync(Request("claude", ",\"cache\":{\"no-cache\":true}"))).Response.Dispose();
        (await PostAsync(Request("claude"))).Response.Dispose();

        Assert.Equal(2, _anthropic.Requests.Count);
    }

    [Fact]
    public async Task NoStoreControl_AnswerNotKept()
    {
        _anthropic.RespondJson(AnthropicText);

        (await PostAsync(Request("claude", ",\"cache\":{\"no-store\":true}"))).Response.Dispose();
        (await PostAsync(Request("claude"))).Response.Dispose();

        Assert.Equal(2, _anthropic.Requests.Count);
    }
}
