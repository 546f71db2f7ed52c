using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Embeddings;

public sealed class EmbeddingsTests : IAsyncLifetime
{
    private FakeUpstream _openai = null!;
    private FakeUpstream _azure = null!;
    private FakeUpstream _gemini = null!;
    private TestGateway _gateway = null!;

    private const string OpenAiEmbeddings = """{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5,-0.25]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":3,"total_tokens":3}}""";

    public async Task InitializeAsync()
    {
        _openai = await FakeUpstream.StartAsync();
        _azure = await FakeUpstream.StartAsync();
        _gemini = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync($"""
            - model_name: embed-small
              litellm_params:
                model: openai/text-embedding-3-small
                api_base: {_openai.Url}/v1
                api_key: sk-up
            - model_name: embed-azure
              litellm_params:
                model: azure/my-embedding-deployment
                api_base: {_azure.Url}
                api_key: az-key
                api_version: "2024-10-21"
            - model_name: embed-gemini
              litellm_params:
                model: gemini/gemini-embedding-001
                api_base: {_gemini.Url}
                api_key: AIza-up
            - model_name: embed-mock
              litellm_params:
                model: mock/embed
            - model_name: claude
              litellm_params:
                model: anthropic/claude-sonnet-4-5
                api_key: x
            """, "router_settings:\n  num_retries: 0\n");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _openai.DisposeAsync();
        await _azure.DisposeAsync();
        await _gemini.DisposeAsync();
    }

    private async Task<JsonElement> EmbedAsync(string json, HttpStatusCode expected = HttpStatusCode.OK, string path = "/v1/embeddings")
    {
        using var response = await _gateway.PostJsonAsync(path, json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, body);
        return JsonDocument.Parse(body).RootElement;
    }

    private static float[] DecodeBase64(string value) => MemoryMarshal.Cast<byte, float>(Convert.FromBase64String(value)).ToArray();

    [Fact]
    public async Task OpenAi_PassesThroughWithModelIdAndClientName()
    {
        _openai.RespondJson(OpenAiEmbeddings);

        var json = await EmbedAsync("""{"model":"embed-small","input":"hello","encoding_format":"base64","dimensions":2}""");

        var sent = _openai.LastRequest.Json().RootElement;
        Assert.Equal("/v1/embeddings", _openai.LastRequest.PathAndQuery);
        Assert.Equal("text-embedding-3-small", sent.GetProperty("model").GetString());
        Assert.Equal("base64", sent.GetProperty("encoding_format").GetString());
        Assert.Equal(2, sent.GetProperty("dimensions").GetInt32());
        Assert.Equal("embed-small", json.GetProperty("model").GetString());
        Assert.Equal(3, json.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task AliasPath_IsServedToo()
    {
        _openai.RespondJson(OpenAiEmbeddings);
        var json = await EmbedAsync("""{"model":"embed-small","input":["a","b"]}""", path: "/embeddings");
        Assert.Equal("list", json.GetProperty("object").GetString());
    }

    [Fact]
    public async Task Azure_UsesDeploymentEmbeddingsUrl()
    {
        _azure.RespondJson(OpenAiEmbeddings);

        var json = await EmbedAsync("""{"model":"embed-azure","input":"hello"}""");

        Assert.Equal("/openai/deployments/my-embedding-deployment/embeddings?api-version=2024-10-21", _azure.LastRequest.PathAndQuery);
        Assert.Equal("az-key", _azure.LastRequest.Headers["api-key"]);
        Assert.Equal("embed-azure", json.GetProperty("model").GetString());
    }

    [Fact]
    public async Task GeminiSingleInput_UsesEmbedContentAndReturnsOpenAiList()
    {
        _gemini.RespondJson("""{"embedding":{"values":[0.125,-0.5,1]}}""");

        var json = await EmbedAsync("""{"model":"embed-gemini","input":"hello world","dimensions":3}""");

        Assert.Equal("/v1beta/models/gemini-embedding-001:embedContent", _gemini.LastRequest.PathAndQuery);
        var sent = _gemini.LastRequest.Json().RootElement;
        Assert.Equal("hello world", sent.GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString());
        Assert.Equal(3, sent.GetProperty("outputDimensionality").GetInt32());
        Assert.Equal("AIza-up", _gemini.LastRequest.Headers["x-goog-api-key"]);
        var data = json.GetProperty("data");
        Assert.Equal([0.125f, -0.5f, 1f], data[0].GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()));
        Assert.Equal("embed-gemini", json.GetProperty("model").GetString());
        Assert.Equal(3, json.GetProperty("usage").GetProperty("prompt_tokens").GetInt32()); // 11 bytes / 4, rounded up
    }

    [Fact]
    public async Task GeminiBatchWithBase64_UsesBatchEmbedContentsAndEncodesFloat32()
    {
        _gemini.RespondJson("""{"embeddings":[{"values":[0.5,0.25]},{"values":[-1,2]}]}""");

        var json = await EmbedAsync("""{"model":"embed-gemini","input":["one","two"],"encoding_format":"base64"}""");

        Assert.Equal("/v1beta/models/gemini-embedding-001:batchEmbedContents", _gemini.LastRequest.PathAndQuery);
        var requests = _gemini.LastRequest.Json().RootElement.GetProperty("requests");
        Assert.Equal("models/gemini-embedding-001", requests[1].GetProperty("model").GetString());
        var data = json.GetProperty("data");
        Assert.Equal(1, data[1].GetProperty("index").GetInt32());
        Assert.Equal([0.5f, 0.25f], DecodeBase64(data[0].GetProperty("embedding").GetString()!));
        Assert.Equal([-1f, 2f], DecodeBase64(data[1].GetProperty("embedding").GetString()!));
    }

    [Fact]
    public async Task GeminiTokenIdInput_IsClear400()
    {
        var json = await EmbedAsync("""{"model":"embed-gemini","input":[[1,2,3]]}""", HttpStatusCode.BadRequest);
        Assert.Equal("input", json.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task GeminiError_KeepsStatus()
    {
        _gemini.RespondJson("""{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED"}}""", 429);
        var json = await EmbedAsync("""{"model":"embed-gemini","input":"x"}""", HttpStatusCode.TooManyRequests);
        Assert.Equal("Quota exceeded", json.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Mock_IsDeterministicAndHonoursDimensions()
    {
        var first = await EmbedAsync("""{"model":"embed-mock","input":["same","other"],"dimensions":4}""");
        var second = await EmbedAsync("""{"model":"embed-mock","input":"same","dimensions":4}""");

        var a = first.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var b = second.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var other = first.GetProperty("data")[1].GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.Equal(4, a.Length);
        Assert.Equal(a, b);
        Assert.NotEqual(a, other);
    }

    [Fact]
    public async Task ProviderWithoutEmbeddings_IsClear400()
    {
        var json = await EmbedAsync("""{"model":"claude","input":"x"}""", HttpStatusCode.BadRequest);
        Assert.Contains("does not serve embeddings", json.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"input":"x"}""", "model")]
    [InlineData("""{"model":"embed-mock"}""", "input")]
    [InlineData("""{"model":"embed-mock","input":5}""", "input")]
    [InlineData("""{"model":"embed-mock","input":"x","encoding_format":"hex"}""", "encoding_format")]
    [InlineData("""{"model":"embed-mock","input":"x","dimensions":0}""", "dimensions")]
    public async Task BadRequest_NamesTheField(string body, string param)
    {
        var json = await EmbedAsync(body, HttpStatusCode.BadRequest);
        Assert.Equal(param, json.GetProperty("error").GetProperty("param").GetString());
    }
}
