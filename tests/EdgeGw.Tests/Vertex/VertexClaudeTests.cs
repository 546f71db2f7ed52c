using System.Net;
using EdgeGw.Tests.Infrastructure;
using EdgeGw.Tests.Providers.Anthropic;

namespace EdgeGw.Tests.Vertex;

/// <summary>
/// Claude on Vertex AI: <c>:rawPredict</c> / <c>:streamRawPredict</c> with the Messages body minus <c>model</c> plus
/// <c>anthropic_version: vertex-2023-10-16</c>, a Bearer token and no Anthropic headers; answers in Anthropic's own format.
/// </summary>
public sealed class VertexClaudeTests : VertexGatewayTestBase
{
    private const string Chat = """{"model":"vclaude","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hello"}],"max_tokens":50}""";

    /// <summary>The api_base stands for the model's path, so a stream's URL also gets LiteLLM's <c>?alt=sse</c>.</summary>
    private void AssertVertexClaudeRequest(string method)
    {
        var request = Vertex.LastRequest;
        Assert.Equal(ClaudePath + ":" + method, request.PathAndQuery);
        AssertBearerOnEveryCall();
        Assert.False(request.Headers.ContainsKey("x-api-key"));
        Assert.False(request.Headers.ContainsKey("anthropic-version"));
        Assert.Equal("vertex-2023-10-16", Sent.GetProperty("anthropic_version").GetString());
        Assert.False(Sent.TryGetProperty("model", out _));
    }

    [Fact]
    public async Task ChatCompletion_PostsRawPredictWithBodyVersionAndNoModel()
    {
        Vertex.RespondJson(AnthropicWireFixtures.TextMessage("hi there"));

        using var response = await PostAsync("/v1/chat/completions", Chat);
        var body = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertVertexClaudeRequest("rawPredict");
        Assert.Equal(50, Sent.GetProperty("max_tokens").GetInt32());
        Assert.Equal("be brief", Sent.GetProperty("system").ValueKind == System.Text.Json.JsonValueKind.String
            ? Sent.GetProperty("system").GetString() : Sent.GetProperty("system")[0].GetProperty("text").GetString());
        Assert.Equal("hi there", body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("vclaude", body.GetProperty("model").GetString());
        Assert.Equal(39, body.GetProperty("usage").GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task Stream_PostsStreamRawPredictAndRelaysChunks()
    {
        Vertex.RespondStream(AnthropicWireFixtures.TextStream("Hel", "lo"));

        var sse = await StreamAsync("/v1/chat/completions", Chat.Replace("\"max_tokens\":50", "\"max_tokens\":50,\"stream\":true", StringComparison.Ordinal));

        AssertVertexClaudeRequest("streamRawPredict?alt=sse");
        Assert.True(Sent.GetProperty("stream").GetBoolean());
        Assert.Equal("Hello", Sse.Text(sse));
        Assert.EndsWith("data: [DONE]\n\n", sse, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tools_GoAsAnthropicToolsAndStreamedToolUseComesBackAsToolCalls()
    {
        Vertex.RespondStream(
        [
            AnthropicWireFixtures.MessageStart(),
            AnthropicWireFixtures.ToolStart(0, "toolu_vrtx_01", "get_weather"),
            AnthropicWireFixtures.ToolDelta(0, "{\"city\":"),
            AnthropicWireFixtures.ToolDelta(0, "\"Paris\"}"),
            AnthropicWireFixtures.BlockStop(0),
            AnthropicWireFixtures.MessageDelta("tool_use"),
            AnthropicWireFixtures.MessageStop,
        ]);

        var sse = await StreamAsync("/v1/chat/completions", """
            {"model":"vclaude","stream":true,"messages":[{"role":"user","content":"weather in Paris?"}],
             "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}],
             "tool_choice":"required"}
            """);

        AssertVertexClaudeRequest("streamRawPredict?alt=sse");
        var tool = Sent.GetProperty("tools")[0];
        Assert.Equal("get_weather", tool.GetProperty("name").GetString());
        Assert.Equal("object", tool.GetProperty("input_schema").GetProperty("type").GetString());
        Assert.Equal("any", Sent.GetProperty("tool_choice").GetProperty("type").GetString());
        Assert.Equal("{\"city\":\"Paris\"}", Sse.ToolArguments(sse));
        Assert.Contains("\"finish_reason\":\"tool_calls\"", sse, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MessagesClient_BodyGoesThroughWithoutModelAndWithVertexVersion()
    {
        Vertex.RespondJson(AnthropicWireFixtures.TextMessage("hi there"));

        using var response = await PostAsync("/v1/messages", """
            { "model" : "vclaude", "max_tokens":64,
              "system":[{"type":"text","text":"long context","cache_control":{"type":"ephemeral"}}],
              "messages":[{"role":"user","content":"hello"}]}
            """);
        var body = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertVertexClaudeRequest("rawPredict");
        Assert.Equal("ephemeral", Sent.GetProperty("system")[0].GetProperty("cache_control").GetProperty("type").GetString());
        Assert.Equal(64, Sent.GetProperty("max_tokens").GetInt32());
        Assert.Equal("vclaude", body.GetProperty("model").GetString());
        Assert.Equal("hi there", body.GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task MessagesClientStream_GoesToStreamRawPredictAndComesBackAsAnthropicEvents()
    {
        Vertex.RespondStream(AnthropicWireFixtures.TextStream("Hel", "lo"));

        var sse = await StreamAsync("/v1/messages", """{"model":"vclaude","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hello"}]}""");

        AssertVertexClaudeRequest("streamRawPredict?alt=sse");
        var events = Sse.Parse(sse);
        Assert.Equal("message_start", events[0].Name);
        Assert.Equal("vclaude", events[0].Json.GetProperty("message").GetProperty("model").GetString());
        Assert.Equal("message_stop", events[^1].Name);
    }

    [Fact]
    public async Task CountTokens_IsEstimatedWithoutCallingVertex()
    {
        using var response = await PostAsync("/v1/messages/count_tokens", """{"model":"vclaude","messages":[{"role":"user","content":"hello there, how are you today?"}]}""");
        var body = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.GetProperty("input_tokens").GetInt32() > 0);
        Assert.Empty(Vertex.Requests);
    }

    [Fact]
    public Task GoogleFormatQuotaError_Is429InOpenAiEnvelope() => AssertResourceExhaustedIs429Async(Chat);

    [Fact]
    public async Task AnthropicOverloaded_Is503InAnthropicEnvelopeOnMessages()
    {
        Vertex.RespondJson(AnthropicWireFixtures.Error("overloaded_error", "Overloaded"), 529);

        using var response = await PostAsync("/v1/messages", """{"model":"vclaude","max_tokens":64,"messages":[{"role":"user","content":"hello"}]}""");
        var body = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("error", body.GetProperty("type").GetString());
        Assert.Equal("Overloaded", body.GetProperty("error").GetProperty("message").GetString());
    }
}
