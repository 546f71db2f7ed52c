using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Vertex;

/// <summary>
/// A gateway with <c>vertex_ai/</c> deployments (Gemini, Claude, text embeddings) in front of a fake Vertex AI
/// on loopback, authorised by a service account whose token endpoint is a loopback fake too. Each deployment's
/// <c>api_base</c> is the fake's copy of the real path, so the path Vertex would see is what the test asserts.
/// </summary>
public abstract class VertexGatewayTestBase : IAsyncLifetime
{
    public const string Project = "edge-proj";
    public const string GeminiPath = $"/v1/projects/{Project}/locations/us-central1/publishers/google/models/gemini-2.0-flash-001";
    public const string ClaudePath = $"/v1/projects/{Project}/locations/us-east5/publishers/anthropic/models/claude-3-5-sonnet-v2@20241022";
    public const string EmbedPath = $"/v1/projects/{Project}/locations/us-central1/publishers/google/models/text-embedding-005";

    protected FakeUpstream Vertex { get; private set; } = null!;
    protected FakeGoogleTokenEndpoint Tokens { get; private set; } = null!;
    protected TestGateway Gateway { get; private set; } = null!;

    protected virtual string ExtraYaml => "router_settings:\n  num_retries: 0\n";

    public async Task InitializeAsync()
    {
        Vertex = await FakeUpstream.StartAsync();
        Tokens = await FakeGoogleTokenEndpoint.StartAsync();
        Gateway = await TestGateway.StartAsync(ModelList(), ExtraYaml);
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Tokens.DisposeAsync();
        await Vertex.DisposeAsync();
    }

    protected virtual string ModelList() => string.Join('\n',
        VertexYaml.Entry("vgemini", "vertex_ai/gemini-2.0-flash-001", Vertex.Url + GeminiPath, Tokens),
        VertexYaml.Entry("vclaude", "vertex_ai/claude-3-5-sonnet-v2@20241022", Vertex.Url + ClaudePath, Tokens),
        VertexYaml.Entry("vembed", "vertex_ai/text-embedding-005", Vertex.Url + EmbedPath, Tokens));

    protected Task<HttpResponseMessage> PostAsync(string path, string json) => Gateway.PostJsonAsync(path, json);

    protected async Task<string> StreamAsync(string path, string json)
    {
        using var response = await Gateway.PostStreamAsync(path, json);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return text;
    }

    protected static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    protected JsonElement Sent => Vertex.LastRequest.Json().RootElement;

    /// <summary>Vertex's quota error on <paramref name="chat"/>: a 429 rate_limit_error carrying Vertex's message.</summary>
    protected async Task AssertResourceExhaustedIs429Async(string chat)
    {
        Vertex.RespondJson(VertexWireFixtures.ResourceExhausted, 429);

        using var response = await PostAsync("/v1/chat/completions", chat);
        var error = (await JsonAsync(response)).GetProperty("error");

        Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("rate_limit_error", error.GetProperty("type").GetString());
        Assert.StartsWith("Resource exhausted.", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    /// <summary>The Bearer token every Vertex call carried: the fake token endpoint's first.</summary>
    protected void AssertBearerOnEveryCall()
    {
        Assert.NotEmpty(Vertex.Requests);
        Assert.All(Vertex.Requests, r => Assert.Equal("Bearer ya29.test-token-1", r.Headers["authorization"]));
        Assert.All(Vertex.Requests, r => Assert.False(r.Headers.ContainsKey("x-goog-api-key")));
    }
}

/// <summary>config.yaml entries for <c>vertex_ai/</c> deployments.</summary>
public static class VertexYaml
{
    /// <summary>One entry whose <c>api_base</c> is <paramref name="apiBase"/>, with the test service account inline.</summary>
    public static string Entry(string modelName, string model, string apiBase, FakeGoogleTokenEndpoint tokens, string extra = "") => $"""
        - model_name: {modelName}
          litellm_params:
            model: {model}
            api_base: {apiBase}
            vertex_credentials: '{tokens.ServiceAccountJson()}'{extra}
        """;
}

/// <summary>Vertex AI's wire bytes, written for these tests.</summary>
public static class VertexWireFixtures
{
    /// <summary>Vertex frames SSE with CRLF, like AI Studio.</summary>
    public static string Event(string json) => "data: " + json + "\r\n\r\n";

    public const string Usage = """{"promptTokenCount":7,"candidatesTokenCount":2,"totalTokenCount":9,"trafficType":"ON_DEMAND","promptTokensDetails":[{"modality":"TEXT","tokenCount":7}],"candidatesTokensDetails":[{"modality":"TEXT","tokenCount":2}]}""";

    /// <summary>A generateContent answer as Vertex writes it (createTime, responseId, modelVersion, traffic type).</summary>
    public static string GeminiText(string text, string finish = "STOP", string usage = Usage) =>
        $$"""{"candidates":[{"content":{"role":"model","parts":[{"text":"{{text}}"}]},"finishReason":"{{finish}}","avgLogprobs":-0.01}],"usageMetadata":{{usage}},"modelVersion":"gemini-2.0-flash-001","createTime":"2026-12-01T07:00:00.123456Z","responseId":"vtx-resp-1"}""";

    public static string GeminiChunk(string text) =>
        $$$"""{"candidates":[{"content":{"role":"model","parts":[{"text":"{{{text}}}"}]}}],"usageMetadata":{"trafficType":"ON_DEMAND"},"modelVersion":"gemini-2.0-flash-001","createTime":"2026-12-01T07:00:00.123456Z","responseId":"vtx-resp-2"}""";

    public static string GeminiLastChunk(string text) =>
        $$"""{"candidates":[{"content":{"role":"model","parts":[{"text":"{{text}}"}]},"finishReason":"STOP"}],"usageMetadata":{{Usage}},"modelVersion":"gemini-2.0-flash-001","createTime":"2026-12-01T07:00:00.123456Z","responseId":"vtx-resp-2"}""";

    /// <summary>google.rpc.Status as Vertex sends it.</summary>
    public static string Error(int code, string status, string message) =>
        $$$"""{"error":{"code":{{{code}}},"message":"{{{message}}}","status":"{{{status}}}"}}""";

    public const string ResourceExhausted = """{"error":{"code":429,"message":"Resource exhausted. Please try again later. Please refer to https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429 for more details.","status":"RESOURCE_EXHAUSTED"}}""";
}
