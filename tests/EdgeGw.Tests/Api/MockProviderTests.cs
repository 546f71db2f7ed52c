using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Api;

public sealed class MockProviderTests : IAsyncLifetime
{
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync("""
        - model_name: mock-gpt
          litellm_params:
            model: mock/anything
            mock_response: "One two three"
        - model_name: mock-default
          litellm_params:
            model: mock/anything
        """);

    public Task DisposeAsync() => _gateway.DisposeAsync().AsTask();

    [Fact]
    public async Task NonStreaming_AnswersConfiguredTextWithUsage()
    {
        using var response = await _gateway.PostJsonAsync("/v1/chat/completions", """{"model":"mock-gpt","messages":[{"role":"user","content":"hello there"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("chat.completion", json.GetProperty("object").GetString());
        Assert.Equal("One two three", json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", json.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(3, json.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.True(json.GetProperty("usage").GetProperty("prompt_tokens").GetInt32() > 0);
    }

    [Fact]
    public async Task Streaming_SendsOneChunkPerWordThenDone()
    {
        using var response = await _gateway.PostStreamAsync("/v1/chat/completions",
            """{"model":"mock-gpt","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal("One two three", Sse.Text(body));
        var chunks = Sse.Chunks(body);
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal(3, chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutMockResponse_AnswersTheDefaultText()
    {
        using var response = await _gateway.PostJsonAsync("/v1/chat/completions", """{"model":"mock-default","messages":[{"role":"user","content":"x"}]}""");
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("This is a mock response from EdgeGw.", json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }
}
