using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Responses;

/// <summary>/v1/responses with <c>stream: true</c> on bridged providers: the upstream's stream as Responses events.</summary>
public sealed class ResponsesStreamBridgeTests : IAsyncLifetime
{
    private FakeUpstream _anthropic = null!;
    private FakeUpstream _gemini = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _anthropic = await FakeUpstream.StartAsync();
        _gemini = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync($"""
            - model_name: mock-gpt
              litellm_params:
                model: mock/mock-gpt
                mock_response: "Hello from mock"
            - model_name: claude
              litellm_params:
                model: anthropic/claude-sonnet-4-5
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

    private static readonly string[] AnthropicToolStream =
    [
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n",
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Checking\"}}\n\n",
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_9\",\"name\":\"get_weather\",\"input\":{}}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\":\"}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\\\"Oslo\\\"}\"}}\n\n",
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n",
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":9}}\n\n",
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
    ];

    private async Task<(HttpResponseMessage Response, IReadOnlyList<Sse.Event> Events)> StreamAsync(string json)
    {
        var response = await _gateway.PostStreamAsync("/v1/responses", json);
        return (response, Sse.Parse(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task MockStream_EventGrammarEndsInCompletedWithText()
    {
        var (response, events) = await StreamAsync("""{"model":"mock-gpt","input":"Hi","stream":true}""");
        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("response.created", events[0].Name);
            Assert.Equal("response.in_progress", events[1].Name);
            Assert.Equal("response.completed", events[^1].Name);
            Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.Json.GetProperty("sequence_number").GetInt32()));
            var text = string.Concat(events.Where(e => e.Name == "response.output_text.delta").Select(e => e.Json.GetProperty("delta").GetString()));
            Assert.Equal("Hello from mock", text);
            var completed = events[^1].Json.GetProperty("response");
            Assert.StartsWith("resp_", completed.GetProperty("id").GetString(), StringComparison.Ordinal);
            Assert.Equal("mock-gpt", completed.GetProperty("model").GetString());
            Assert.Equal(3, completed.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        }
    }

    [Fact]
    public async Task AnthropicStreamWithToolUse_FunctionCallArgumentsStreamedAndBilled()
    {
        _anthropic.RespondStream(AnthropicToolStream);

        var (response, events) = await StreamAsync("""{"model":"claude","input":"Weather?","stream":true,"tools":[{"type":"function","name":"get_weather","parameters":{"type":"object"}}]}""");
        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var arguments = string.Concat(events.Where(e => e.Name == "response.function_call_arguments.delta").Select(e => e.Json.GetProperty("delta").GetString()));
            Assert.Equal("{\"city\":\"Oslo\"}", arguments);
            var completed = events[^1].Json.GetProperty("response");
            Assert.Equal("response.completed", events[^1].Name);
            var call = completed.GetProperty("output").EnumerateArray().Single(i => i.GetProperty("type").GetString() == "function_call");
            Assert.Equal("toolu_9", call.GetProperty("call_id").GetString());
            Assert.Equal("get_weather", call.GetProperty("name").GetString());
            Assert.Equal(12, completed.GetProperty("usage").GetProperty("input_tokens").GetInt32());
            Assert.True(_anthropic.LastRequest.Json().RootElement.GetProperty("stream").GetBoolean());
            var requestId = response.Headers.GetValues("x-litellm-call-id").Single();
            var row = (await _gateway.GetAdminAsync($"/spend/logs?request_id={requestId}"))[0];
            Assert.Equal("aresponses", row.GetProperty("call_type").GetString());
            Assert.Equal(12, row.GetProperty("prompt_tokens").GetInt32());
            Assert.Equal(9, row.GetProperty("completion_tokens").GetInt32());
        }
    }

    [Fact]
    public async Task AnthropicStreamCutMidway_ErrorAndFailedEventsNotSilentEnd()
    {
        _anthropic.RespondStream(AnthropicToolStream[..3]);

        var (response, events) = await StreamAsync("""{"model":"claude","input":"Hi","stream":true}""");
        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains(events, e => e.Name == "error");
            Assert.Equal("response.failed", events[^1].Name);
            Assert.Equal("failed", events[^1].Json.GetProperty("response").GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task AnthropicErrorBeforeFirstByte_StatusAndOpenAiEnvelope()
    {
        _anthropic.RespondJson("""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""", 529);

        using var response = await _gateway.PostStreamAsync("/v1/responses", """{"model":"claude","input":"Hi","stream":true}""");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.True((int)response.StatusCode >= 500, $"status {(int)response.StatusCode}");
        Assert.Contains("Overloaded", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GeminiStream_TextDeltasThenCompleted()
    {
        _gemini.RespondStream([
            "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Hel\"}]},\"index\":0}],\"modelVersion\":\"gemini-2.5-flash\"}\r\n\r\n",
            "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"lo\"}]},\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":4,\"candidatesTokenCount\":2,\"totalTokenCount\":6},\"modelVersion\":\"gemini-2.5-flash\"}\r\n\r\n",
        ]);

        var (response, events) = await StreamAsync("""{"model":"gem","input":[{"role":"user","content":"Hi"}],"stream":true}""");
        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Hello", string.Concat(events.Where(e => e.Name == "response.output_text.delta").Select(e => e.Json.GetProperty("delta").GetString())));
            Assert.Equal("response.completed", events[^1].Name);
            Assert.Equal(4, events[^1].Json.GetProperty("response").GetProperty("usage").GetProperty("input_tokens").GetInt32());
            Assert.Contains(":streamGenerateContent", _gemini.LastRequest.PathAndQuery, StringComparison.Ordinal);
        }
    }
}
