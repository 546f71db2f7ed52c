using System.Net;
using System.Text;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Messages;

/// <summary>/v1/messages on anthropic/ (pass-through) and gemini/ (translated) deployments.</summary>
public sealed class MessagesOnProvidersTests : IAsyncLifetime
{
    private FakeUpstream _anthropic = null!;
    private FakeUpstream _gemini = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _anthropic = await FakeUpstream.StartAsync();
        _gemini = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync($"""
            - model_name: claude
              litellm_params:
                model: anthropic/claude-sonnet-4-5-20250929
                api_base: {_anthropic.Url}
                api_key: sk-ant-upstream
            - model_name: gem
              litellm_params:
                model: gemini/gemini-2.5-flash
                api_base: {_gemini.Url}
                api_key: AIza-upstream
            """, "router_settings:\n  num_retries: 0\n");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _anthropic.DisposeAsync();
        await _gemini.DisposeAsync();
    }

    private async Task<HttpResponseMessage> PostAsync(string json, string? beta = null)
    {
        using var client = new HttpClient { BaseAddress = _gateway.BaseAddress };
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-api-key", TestGateway.MasterKey);
        request.Headers.Add("anthropic-version", "2023-06-01");
        if (beta is not null)
            request.Headers.Add("anthropic-beta", beta);
        return await client.SendAsync(request);
    }

    private const string AnthropicMessage = """
        {"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"thinking","thinking":"hmm","signature":"sig-abc"},{"type":"text","text":"Hello ✓","citations":null}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":10,"cache_read_input_tokens":5,"output_tokens":7}}
        """;

    [Fact]
    public async Task AnthropicDeployment_GetsClientBodyVerbatimWithModelIdOnly()
    {
        _anthropic.RespondJson(AnthropicMessage);
        const string body = """{"model":"claude","max_tokens":1024,"thinking":{"type":"enabled","budget_tokens":2000},"metadata":{"user_id":"u1"},"system":[{"type":"text","text":"Sys","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":[{"type":"text","text":"Hi","cache_control":{"type":"ephemeral","ttl":"1h"}}]}]}""";

        using var response = await PostAsync(body, beta: "prompt-caching-2024-07-31");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = _anthropic.LastRequest;
        Assert.Equal("/v1/messages", sent.PathAndQuery);
        Assert.Equal(body.Replace("\"model\":\"claude\"", "\"model\":\"claude-sonnet-4-5-20250929\"", StringComparison.Ordinal), sent.BodyText);
        Assert.Equal("sk-ant-upstream", sent.Headers["x-api-key"]);
        Assert.Equal("prompt-caching-2024-07-31", sent.Headers["anthropic-beta"]);
        var message = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("claude", message.GetProperty("model").GetString());
        Assert.Equal("sig-abc", message.GetProperty("content")[0].GetProperty("signature").GetString());
        Assert.Equal("Hello ✓", message.GetProperty("content")[1].GetProperty("text").GetString());
    }

    [Fact]
    public async Task AnthropicDeploymentStream_IsRelayedEventForEventWithClientModel()
    {
        _anthropic.RespondStream([
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Let me see\"}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"EqQBCgIYAhIM\"}}\n\n",
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
            "event: ping\ndata: {\"type\": \"ping\"}\n\n",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi \\\"you\\\"\"}}\n\n",
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n",
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":9}}\n\n",
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"]);

        using var response = await PostAsync("""{"model":"claude","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"Hi"}]}""");

        var events = Sse.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(11, events.Count);
        Assert.Equal("claude", events[0].Json.GetProperty("message").GetProperty("model").GetString());
        Assert.Equal("EqQBCgIYAhIM", events[3].Json.GetProperty("delta").GetProperty("signature").GetString());
        Assert.Equal("ping", events[5].Name);
        Assert.Equal("Hi \"you\"", events[7].Json.GetProperty("delta").GetProperty("text").GetString());
        Assert.Equal("message_stop", events[^1].Name);
    }

    [Fact]
    public async Task AnthropicDeploymentOverloaded_IsAnthropicOverloadedError()
    {
        _anthropic.RespondJson("""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""", 529);

        using var response = await PostAsync("""{"model":"claude","max_tokens":100,"messages":[{"role":"user","content":"Hi"}]}""");

        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("overloaded_error", error.GetProperty("type").GetString());
        Assert.Equal("Overloaded", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task GeminiDeployment_AnswersInAnthropicShapeWithToolUse()
    {
        _gemini.RespondJson("""
            {"candidates":[{"content":{"role":"model","parts":[{"text":"Let me check."},{"functionCall":{"name":"get_weather","args":{"city":"Oslo"}}}]},"finishReason":"STOP","index":0}],
             "usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":8,"totalTokenCount":28},"modelVersion":"gemini-2.5-flash","responseId":"r1"}
            """);

        using var response = await PostAsync("""
            {"model":"gem","max_tokens":200,"top_k":3,"tools":[{"name":"get_weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}],
             "messages":[{"role":"user","content":"Weather in Oslo?"}]}
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = _gemini.LastRequest.Json().RootElement;
        Assert.Equal(3, sent.GetProperty("generationConfig").GetProperty("topK").GetInt32());
        Assert.Equal(200, sent.GetProperty("generationConfig").GetProperty("maxOutputTokens").GetInt32());
        var message = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("gem", message.GetProperty("model").GetString());
        Assert.Equal("Let me check.", message.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("Oslo", message.GetProperty("content")[1].GetProperty("input").GetProperty("city").GetString());
        Assert.Equal("tool_use", message.GetProperty("stop_reason").GetString());
        Assert.Equal(20, message.GetProperty("usage").GetProperty("input_tokens").GetInt32());
    }

    [Fact]
    public async Task GeminiDeploymentStream_FollowsAnthropicEventSequence()
    {
        _gemini.RespondStream([
            "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Hel\"}]},\"index\":0}],\"responseId\":\"r2\"}\r\n\r\n",
            "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"lo 中文\"}]},\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":4,\"candidatesTokenCount\":3,\"totalTokenCount\":7},\"responseId\":\"r2\"}\r\n\r\n"]);

        using var response = await PostAsync("""{"model":"gem","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"Hi"}]}""");

        var events = OpenAiToAnthropicStreamTests.AssertAnthropicGrammar(await response.Content.ReadAsStringAsync());
        Assert.Equal("Hello 中文", string.Concat(events.Where(e => e.Name == "content_block_delta").Select(e => e.Json.GetProperty("delta").GetProperty("text").GetString())));
        Assert.Equal(3, events[^2].Json.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        Assert.Contains(":streamGenerateContent?alt=sse", _gemini.LastRequest.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CountTokensOnAnthropicDeployment_IsForwarded()
    {
        _anthropic.RespondJson("""{"input_tokens":1234}""");
        using var client = new HttpClient { BaseAddress = _gateway.BaseAddress };
        client.DefaultRequestHeaders.Add("x-api-key", TestGateway.MasterKey);

        using var response = await client.PostAsync("/v1/messages/count_tokens",
            new StringContent("""{"model":"claude","messages":[{"role":"user","content":"Hi"}]}""", Encoding.UTF8, "application/json"));

        Assert.Equal(1234, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("input_tokens").GetInt32());
        Assert.Equal("/v1/messages/count_tokens", _anthropic.LastRequest.PathAndQuery);
        Assert.Equal("claude-sonnet-4-5-20250929", _anthropic.LastRequest.Json().RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task GeminiDeploymentError_IsAnthropicEnvelopeWithStatus()
    {
        _gemini.RespondJson("""{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}""", 429);

        using var response = await PostAsync("""{"model":"gem","max_tokens":10,"messages":[{"role":"user","content":"Hi"}]}""");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("error", json.GetProperty("type").GetString());
        Assert.Equal("rate_limit_error", json.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains("exhausted", json.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GeminiDeploymentStreamedToolCall_BecomesToolUseBlockWithTrickyText()
    {
        _gemini.RespondStream([
            "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Quote \\\" tab\\t 😀 \\u003c/script\\u003e\"}]},\"index\":0}]}\r\n\r\n",
            "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"lookup\",\"args\":{\"q\":\"中文 \\\"x\\\"\"}}}]},\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":5,\"candidatesTokenCount\":6,\"totalTokenCount\":11}}\r\n\r\n"]);

        using var response = await PostAsync("""{"model":"gem","max_tokens":100,"stream":true,"tools":[{"name":"lookup","input_schema":{"type":"object","properties":{"q":{"type":"string"}}}}],"messages":[{"role":"user","content":"Hi"}]}""");

        var events = OpenAiToAnthropicStreamTests.AssertAnthropicGrammar(await response.Content.ReadAsStringAsync());
        var blocks = events.Where(e => e.Name == "content_block_start").Select(e => e.Json.GetProperty("content_block")).ToList();
        Assert.Equal(["text", "tool_use"], blocks.Select(b => b.GetProperty("type").GetString()!));
        Assert.Equal("lookup", blocks[1].GetProperty("name").GetString());
        Assert.Equal("Quote \" tab\t 😀 </script>", events.First(e => e.Name == "content_block_delta").Json.GetProperty("delta").GetProperty("text").GetString());
        var input = string.Concat(events.Where(e => e.Name == "content_block_delta" && e.Json.GetProperty("index").GetInt32() == 1)
            .Select(e => e.Json.GetProperty("delta").GetProperty("partial_json").GetString()));
        Assert.Equal("中文 \"x\"", JsonDocument.Parse(input).RootElement.GetProperty("q").GetString());
        Assert.Equal("tool_use", events[^2].Json.GetProperty("delta").GetProperty("stop_reason").GetString());
    }

    [Fact]
    public async Task CountTokensOnAnthropicDeployment_CountsAgainstTheDeploymentsRpm()
    {
        await using var gateway = await TestGateway.StartAsync($"""
            - model_name: claude
              litellm_params:
                model: anthropic/claude-sonnet-4-5-20250929
                api_base: {_anthropic.Url}
                api_key: sk-ant-upstream
                rpm: 1
            """, "router_settings:\n  num_retries: 0\n");
        _anthropic.RespondJson("""{"input_tokens":1234}""");
        using var client = new HttpClient { BaseAddress = gateway.BaseAddress };
        client.DefaultRequestHeaders.Add("x-api-key", TestGateway.MasterKey);
        const string body = """{"model":"claude","messages":[{"role":"user","content":"Hi"}]}""";

        using var first = await client.PostAsync("/v1/messages/count_tokens", new StringContent(body, Encoding.UTF8, "application/json"));
        using var second = await client.PostAsync("/v1/messages/count_tokens", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal("error", JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement.GetProperty("type").GetString());
        Assert.Single(_anthropic.Requests); // the refused count never reached Anthropic
    }
}
