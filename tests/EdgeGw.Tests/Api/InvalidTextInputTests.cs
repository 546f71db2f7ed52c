using System.Net;
using System.Text;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Api;

/// <summary>Text a provider cannot be sent (invalid UTF-8, a lone surrogate) and wrongly typed fields are a 400 naming the field, before any upstream call.</summary>
public sealed class InvalidTextInputTests : IAsyncLifetime
{
    private FakeUpstream _upstream = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        _upstream.RespondJson("""{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5]}],"model":"m","usage":{"prompt_tokens":1,"total_tokens":1}}""");
        _gateway = await TestGateway.StartAsync($"""
            - model_name: claude
              litellm_params:
                model: anthropic/claude-sonnet-4-5
                api_base: {_upstream.Url}
                api_key: x
            - model_name: gem
              litellm_params:
                model: gemini/gemini-2.5-flash
                api_base: {_upstream.Url}
                api_key: AIza-up
            - model_name: llama
              litellm_params:
                model: ollama/llama3
                api_base: {_upstream.Url}
            - model_name: embed-gemini
              litellm_params:
                model: gemini/gemini-embedding-001
                api_base: {_upstream.Url}
                api_key: AIza-up
            - model_name: embed-small
              litellm_params:
                model: openai/text-embedding-3-small
                api_base: {_upstream.Url}/v1
                api_key: sk-up
            """, "router_settings:\n  num_retries: 0\n");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private async Task<JsonElement> PostAsync(string path, byte[] body, HttpStatusCode expected)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        using var response = await _gateway.Client.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static byte[] Utf8(string json) => Encoding.UTF8.GetBytes(json);

    // 0xC3 0x28 is an invalid two-byte UTF-8 sequence.
    private static byte[] WithInvalidUtf8(string before, string after) => [.. Utf8(before), 0xC3, 0x28, .. Utf8(after)];

    [Theory]
    [InlineData("/v1/chat/completions", "claude")]
    [InlineData("/v1/chat/completions", "gem")]
    [InlineData("/v1/chat/completions", "llama")]
    [InlineData("/v1/messages", "claude")]
    [InlineData("/v1/messages", "gem")]
    public async Task LoneSurrogateInContent_Is400NamingMessages(string path, string model)
    {
        var body = $$"""{"model":"{{model}}","max_tokens":5,"messages":[{"role":"user","content":"hi \ud800"}]}""";
        var error = (await PostAsync(path, Utf8(body), HttpStatusCode.BadRequest)).GetProperty("error");

        // /v1/messages answers in Anthropic's envelope, which has no param: the message names the field.
        Assert.Contains("'messages'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(_upstream.Requests);
    }

    [Theory]
    [InlineData("claude")]
    [InlineData("gem")]
    public async Task InvalidUtf8InContent_Is400NamingMessages(string model)
    {
        var body = WithInvalidUtf8($"{{\"model\":\"{model}\",\"messages\":[{{\"role\":\"user\",\"content\":\"hi ", "\"}]}");
        var error = (await PostAsync("/v1/chat/completions", body, HttpStatusCode.BadRequest)).GetProperty("error");

        Assert.Equal("messages", error.GetProperty("param").GetString());
        Assert.Empty(_upstream.Requests);
    }

    [Theory]
    [InlineData("/v1/chat/completions")]
    [InlineData("/v1/embeddings")]
    public async Task InvalidTextInModelName_Is400NamingModel(string path)
    {
        var lone = await PostAsync(path, Utf8("""{"model":"\ud800","input":"x","messages":[{"role":"user","content":"x"}]}"""), HttpStatusCode.BadRequest);
        var invalid = await PostAsync(path, WithInvalidUtf8("{\"model\":\"a", "\",\"input\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"), HttpStatusCode.BadRequest);

        Assert.Equal("model", lone.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal("model", invalid.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task InvalidTextInGeminiEmbeddingInput_Is400NamingInput()
    {
        var lone = await PostAsync("/v1/embeddings", Utf8("""{"model":"embed-gemini","input":["ok","\udc00"]}"""), HttpStatusCode.BadRequest);
        var invalid = await PostAsync("/v1/embeddings", WithInvalidUtf8("{\"model\":\"embed-gemini\",\"input\":\"a", "\"}"), HttpStatusCode.BadRequest);

        Assert.Equal("input", lone.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal("input", invalid.GetProperty("error").GetProperty("param").GetString());
        Assert.Empty(_upstream.Requests);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("true")]
    [InlineData("{}")]
    [InlineData("[\"float\"]")]
    [InlineData("\"int8\"")]
    public async Task NonStringEncodingFormat_Is400NamingIt(string value)
    {
        var body = $$"""{"model":"embed-small","input":"x","encoding_format":{{value}}}""";
        var error = (await PostAsync("/v1/embeddings", Utf8(body), HttpStatusCode.BadRequest)).GetProperty("error");

        Assert.Equal("encoding_format", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task NullEncodingFormat_MeansFloat()
    {
        var answer = await PostAsync("/v1/embeddings", Utf8("""{"model":"embed-small","input":"x","encoding_format":null}"""), HttpStatusCode.OK);

        Assert.Equal(JsonValueKind.Array, answer.GetProperty("data")[0].GetProperty("embedding").ValueKind);
    }
}
