using System.Net;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Vertex;

/// <summary>Gemini on Vertex AI through <c>/v1/chat/completions</c> and <c>/v1/messages</c>: Vertex's URL and Bearer token, AI Studio's translators.</summary>
public sealed class VertexGeminiTests : VertexGatewayTestBase
{
    private const string Chat = """{"model":"vgemini","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hello"}],"max_tokens":20}""";

    [Fact]
    public async Task ChatCompletion_PostsGenerateContentWithBearerAndAnswersInOpenAiFormat()
    {
        Vertex.RespondJson(VertexWireFixtures.GeminiText("hi there"));

        using var response = await PostAsync("/v1/chat/completions", Chat);
        var body = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(GeminiPath + ":generateContent", Vertex.LastRequest.PathAndQuery);
        AssertBearerOnEveryCall();
        Assert.Equal("hello", Sent.GetProperty("contents")[0].GetProperty("parts")[0].GetProperty("text").GetString());
        Assert.Equal("user", Sent.GetProperty("contents")[0].GetProperty("role").GetString());
        Assert.Equal(20, Sent.GetProperty("generationConfig").GetProperty("maxOutputTokens").GetInt32());
        Assert.False(Sent.TryGetProperty("model", out _));
        Assert.Equal("hi there", body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", body.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal("vgemini", body.GetProperty("model").GetString());
        Assert.Equal(9, body.GetProperty("usage").GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task Labels_GoToVertexWithTheirStringValues()
    {
        Vertex.RespondJson(VertexWireFixtures.GeminiText("ok"));

        using var response = await PostAsync("/v1/chat/completions", """{"model":"vgemini","messages":[{"role":"user","content":"hi"}],"labels":{"team":"edge","cost-center":"42","n":1}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"team":"edge","cost-center":"42"}""", Sent.GetProperty("labels").GetRawText());
    }

    [Fact]
    public async Task Stream_UsesStreamGenerateContentWithAltSseAndRelaysChunks()
    {
        Vertex.RespondStream([VertexWireFixtures.Event(VertexWireFixtures.GeminiChunk("Hel")), VertexWireFixtures.Event(VertexWireFixtures.GeminiLastChunk("lo"))]);

        var sse = await StreamAsync("/v1/chat/completions", Chat.Replace("\"max_tokens\":20", "\"max_tokens\":20,\"stream\":true,\"stream_options\":{\"include_usage\":true}", StringComparison.Ordinal));
        var chunks = Sse.Parse(sse).Select(e => e.Data).ToList();

        Assert.Equal(GeminiPath + ":streamGenerateContent?alt=sse", Vertex.LastRequest.PathAndQuery);
        AssertBearerOnEveryCall();
        Assert.Equal("[DONE]", chunks[^1]);
        Assert.Equal("Hello", Sse.Text(sse));
        Assert.Contains(chunks, c => c.Contains("\"finish_reason\":\"stop\"", StringComparison.Ordinal));
        Assert.Contains(chunks, c => c.Contains("\"total_tokens\":9", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MessagesClient_GetsAnthropicFormatFromVertexGemini()
    {
        Vertex.RespondJson(VertexWireFixtures.GeminiText("hi there"));

        using var response = await PostAsync("/v1/messages", """{"model":"vgemini","max_tokens":64,"top_k":5,"messages":[{"role":"user","content":"hello"}]}""");
        var body = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(GeminiPath + ":generateContent", Vertex.LastRequest.PathAndQuery);
        Assert.Equal(5, Sent.GetProperty("generationConfig").GetProperty("topK").GetInt32());
        Assert.Equal("message", body.GetProperty("type").GetString());
        Assert.Equal("hi there", body.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("end_turn", body.GetProperty("stop_reason").GetString());
    }

    [Fact]
    public async Task MessagesClientStream_GetsAnthropicEventsFromVertexGemini()
    {
        Vertex.RespondStream([VertexWireFixtures.Event(VertexWireFixtures.GeminiChunk("Hel")), VertexWireFixtures.Event(VertexWireFixtures.GeminiLastChunk("lo"))]);

        var sse = await StreamAsync("/v1/messages", """{"model":"vgemini","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hello"}]}""");

        Assert.Equal(GeminiPath + ":streamGenerateContent?alt=sse", Vertex.LastRequest.PathAndQuery);
        Assert.Contains("event: message_start", sse, StringComparison.Ordinal);
        Assert.Contains("\"text\":\"Hel\"", sse, StringComparison.Ordinal);
        Assert.Contains("\"text\":\"lo\"", sse, StringComparison.Ordinal);
        Assert.Contains("event: message_stop", sse, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManyRequests_FetchOneTokenAndReuseIt()
    {
        Vertex.RespondJson(VertexWireFixtures.GeminiText("ok"));

        for (var i = 0; i < 3; i++)
        {
            using var response = await PostAsync("/v1/chat/completions", Chat);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(1, Tokens.Issued);
        Assert.Empty(Tokens.Rejections);
        Assert.Equal(3, Vertex.Requests.Count);
        AssertBearerOnEveryCall();
    }

    [Fact]
    public async Task InvalidArgument_Is400InOpenAiEnvelopeWithVertexMessage()
    {
        Vertex.RespondJson(VertexWireFixtures.Error(400, "INVALID_ARGUMENT", "Request contains an invalid argument."), 400);

        using var response = await PostAsync("/v1/chat/completions", Chat);
        var error = (await JsonAsync(response)).GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Contains("Request contains an invalid argument.", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PermissionDenied_Is403AndOnMessagesInAnthropicsEnvelope()
    {
        Vertex.RespondJson(VertexWireFixtures.Error(403, "PERMISSION_DENIED", "Permission 'aiplatform.endpoints.predict' denied on resource."), 403);

        using var response = await PostAsync("/v1/messages", """{"model":"vgemini","max_tokens":64,"messages":[{"role":"user","content":"hello"}]}""");
        var body = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("error", body.GetProperty("type").GetString());
        Assert.Contains("aiplatform.endpoints.predict", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public Task ResourceExhausted_Is429() => AssertResourceExhaustedIs429Async(Chat);
}
