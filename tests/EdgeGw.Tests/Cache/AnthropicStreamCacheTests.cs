using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Cache;

/// <summary>An <c>anthropic/</c> deployment's stream (relayed as Anthropic sent it) stored and replayed on <c>/v1/messages</c>.</summary>
public sealed class AnthropicStreamCacheTests : IAsyncLifetime
{
    private FakeUpstream _anthropic = null!;
    private TestGateway _gateway = null!;

    private static readonly string[] Stream =
    [
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n",
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Let me see\"}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"EqQBCgIYAhIM\"}}\n\n",
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
        "event: ping\ndata: {\"type\": \"ping\"}\n\n",
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi \\\"you\\\"\"}}\n\n",
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n",
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":{}}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\": \"}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\\\"Paris\\\"}\"}}\n\n",
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":2}\n\n",
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":9}}\n\n",
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
    ];

    private const string Request = """{"model":"claude","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"Hi"}]}""";

    public async Task InitializeAsync()
    {
        _anthropic = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync($"""
            - model_name: claude
              litellm_params:
                model: anthropic/claude-sonnet-4-5-20250929
                api_base: {_anthropic.Url}
                api_key: sk-ant-upstream
            """, "router_settings:\n  num_retries: 0\nlitellm_settings:\n  cache: true\n  cache_params:\n    type: local\n");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _anthropic.DisposeAsync();
    }

    private async Task<HttpResponseMessage> PostAsync(string body, bool stream)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("x-api-key", TestGateway.MasterKey);
        request.Headers.Add("anthropic-version", "2023-06-01");
        return await _gateway.Client.SendAsync(request, stream ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead);
    }

    [Fact]
    public async Task AnthropicStreamedMissThenHit_ReplaysBlocksInOrder()
    {
        _anthropic.RespondStream(Stream);

        using var miss = await PostAsync(Request, stream: true);
        var live = await miss.Content.ReadAsStringAsync();
        using var hit = await PostAsync(Request, stream: true);
        var replayed = await hit.Content.ReadAsStringAsync();

        Assert.Single(_anthropic.Requests);
        Assert.True(hit.Headers.Contains("x-litellm-cache-key"));
        Assert.Equal("message_start content_block_start content_block_delta:thinking_delta content_block_delta:signature_delta content_block_stop "
            + "content_block_start content_block_delta:text_delta content_block_stop "
            + "content_block_start content_block_delta:input_json_delta content_block_stop message_delta message_stop", StreamShape.Of(replayed));
        Assert.Equal(StreamShape.Text(live), StreamShape.Text(replayed));
        var events = Sse.Parse(replayed);
        Assert.Equal("claude", events[0].Json.GetProperty("message").GetProperty("model").GetString());
        var input = string.Concat(events.Where(e => e.Name == "content_block_delta" && e.Json.GetProperty("delta").TryGetProperty("partial_json", out _))
            .Select(e => e.Json.GetProperty("delta").GetProperty("partial_json").GetString()));
        Assert.Equal("Paris", JsonDocument.Parse(input).RootElement.GetProperty("city").GetString());
        Assert.Equal("EqQBCgIYAhIM", events.Single(e => e.Name == "content_block_delta" && e.Json.GetProperty("delta").TryGetProperty("signature", out _))
            .Json.GetProperty("delta").GetProperty("signature").GetString());
        var delta = events.Single(e => e.Name == "message_delta").Json;
        Assert.Equal("tool_use", delta.GetProperty("delta").GetProperty("stop_reason").GetString());
        Assert.Equal(9, delta.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task AnthropicStreamStoredEntry_AnswersPlainRequestWithMessage()
    {
        _anthropic.RespondStream(Stream);

        using (var miss = await PostAsync(Request, stream: true))
            await miss.Content.ReadAsStringAsync();
        using var plain = await PostAsync(Request.Replace("\"stream\":true", "\"stream\":false", StringComparison.Ordinal), stream: false);

        Assert.Single(_anthropic.Requests);
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        var root = JsonDocument.Parse(await plain.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("message", root.GetProperty("type").GetString());
        Assert.Equal("claude", root.GetProperty("model").GetString());
        var content = root.GetProperty("content");
        Assert.Equal("Let me see", content[0].GetProperty("thinking").GetString());
        Assert.Equal("EqQBCgIYAhIM", content[0].GetProperty("signature").GetString());
        Assert.Equal("Hi \"you\"", content[1].GetProperty("text").GetString());
        Assert.Equal("Paris", content[2].GetProperty("input").GetProperty("city").GetString());
        Assert.Equal("tool_use", root.GetProperty("stop_reason").GetString());
        Assert.Equal(12, root.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        Assert.Equal(9, root.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }
}
