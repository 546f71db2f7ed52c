using System.Net;
using System.Text;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.E2E;

/// <summary>Translation through the native binary: what the JIT tests prove, checked on the AOT build.</summary>
public sealed class TranslationTests : IAsyncLifetime
{
    private FakeUpstream _anthropic = null!;
    private FakeUpstream _gemini = null!;
    private GatewayProcess _gateway = null!;

    public async Task InitializeAsync()
    {
        _anthropic = await FakeUpstream.StartAsync();
        _gemini = await FakeUpstream.StartAsync();
        _gateway = await GatewayProcess.StartAsync($"""
            model_list:
              - model_name: claude
                litellm_params:
                  model: anthropic/claude-sonnet-4-5
                  api_base: {_anthropic.Url}
                  api_key: sk-ant-up
              - model_name: gem
                litellm_params:
                  model: gemini/gemini-2.5-flash
                  api_base: {_gemini.Url}
                  api_key: AIza-up
              - model_name: mock
                litellm_params:
                  model: mock/m
                  mock_response: "Native hello"
            general_settings:
              master_key: {GatewayProcess.MasterKey}
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _anthropic.DisposeAsync();
        await _gemini.DisposeAsync();
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<string> StreamAsync(string path, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(body) };
        using var response = await _gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task AnthropicToolStream_ReachesOpenAiClientWithExactArguments()
    {
        _anthropic.RespondStream([
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":20,\"output_tokens\":1}}}\n\n",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_9\",\"name\":\"lookup\",\"input\":{}}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"q\\\": \\\"caf\"}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"é ☕\\\"}\"}}\n\n",
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":15}}\n\n",
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"]);

        var body = await StreamAsync("/v1/chat/completions", """{"model":"claude","stream":true,"messages":[{"role":"user","content":"find café"}],"tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object"}}}]}""");

        var chunks = Sse.Chunks(body);
        var arguments = Sse.ToolArguments(body);
        Assert.Equal("café ☕", JsonDocument.Parse(arguments).RootElement.GetProperty("q").GetString());
        Assert.Equal("tool_calls", chunks.Last(c => c.GetProperty("choices").GetArrayLength() > 0).GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GeminiStream_ReachesOpenAiClient()
    {
        _gemini.RespondStream([
            "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Bonjour \"}]},\"index\":0}]}\r\n\r\n",
            "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"à tous\"}]},\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":3,\"candidatesTokenCount\":4,\"totalTokenCount\":7}}\r\n\r\n"]);

        var body = await StreamAsync("/v1/chat/completions", """{"model":"gem","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal("Bonjour à tous", Sse.Text(body));
        Assert.Equal(7, Sse.Chunks(body)[^1].GetProperty("usage").GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task MessagesEndpoint_StreamsAnthropicEventsFromMock()
    {
        var body = await StreamAsync("/v1/messages", """{"model":"mock","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}]}""");

        var events = Sse.Parse(body);
        Assert.Equal(["message_start", "content_block_start"], events.Take(2).Select(e => e.Name!));
        Assert.All(events, e => Assert.Equal(e.Name, e.Json.GetProperty("type").GetString()));
        Assert.Equal("message_stop", events[^1].Name);
        Assert.Equal("Native hello", string.Concat(events.Where(e => e.Name == "content_block_delta").Select(e => e.Json.GetProperty("delta").GetProperty("text").GetString())));
    }

    [Fact]
    public async Task Embeddings_FromMockInBase64()
    {
        using var response = await _gateway.Client.PostAsync("/v1/embeddings", Json("""{"model":"mock","input":"x","encoding_format":"base64","dimensions":4}"""));
        var data = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data");
        Assert.Equal(16, Convert.FromBase64String(data[0].GetProperty("embedding").GetString()!).Length);
    }
}
