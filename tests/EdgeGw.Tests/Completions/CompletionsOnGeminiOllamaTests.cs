using System.Net;
using System.Text;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Completions;

/// <summary>/v1/completions bridged to gemini/ (streamed) and ollama/ (whole answers) deployments.</summary>
public sealed class CompletionsOnGeminiOllamaTests : IAsyncLifetime
{
    private FakeUpstream _gemini = null!;
    private FakeUpstream _ollama = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _gemini = await FakeUpstream.StartAsync();
        _ollama = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync($"""
            - model_name: gem
              litellm_params:
                model: gemini/gemini-2.5-flash
                api_base: {_gemini.Url}
                api_key: AIza-upstream
            - model_name: llama
              litellm_params:
                model: ollama_chat/llama3
                api_base: {_ollama.Url}
            """, "router_settings:\n  num_retries: 0\n");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _gemini.DisposeAsync();
        await _ollama.DisposeAsync();
    }

    private async Task<HttpResponseMessage> PostAsync(string json)
    {
        using var client = new HttpClient { BaseAddress = _gateway.BaseAddress };
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("Authorization", "Bearer " + TestGateway.MasterKey);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task GeminiStream_TextCompletionChunksWithUsage()
    {
        _gemini.RespondStream([
            "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Hel\"}]},\"index\":0}],\"modelVersion\":\"gemini-2.5-flash\"}\r\n\r\n",
            "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"lo\"}]},\"finishReason\":\"MAX_TOKENS\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":4,\"candidatesTokenCount\":2,\"totalTokenCount\":6},\"modelVersion\":\"gemini-2.5-flash\"}\r\n\r\n",
        ]);

        using var response = await PostAsync("""{"model":"gem","prompt":"Hi","max_tokens":2,"stream":true,"stream_options":{"include_usage":true}}""");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var chunks = Sse.Chunks(body);
        Assert.Equal("Hello", string.Concat(chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0)
            .Select(c => c.GetProperty("choices")[0].GetProperty("text").GetString())));
        Assert.Contains(chunks, c => c.GetProperty("choices").GetArrayLength() > 0
            && c.GetProperty("choices")[0].GetProperty("finish_reason").GetString() == "length");
        Assert.Equal(6, chunks[^1].GetProperty("usage").GetProperty("total_tokens").GetInt32());
        Assert.Contains(":streamGenerateContent", _gemini.LastRequest.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GeminiStreamCutMidway_EndsWithOpenAiErrorEvent()
    {
        _gemini.RespondStream([
            "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Hel\"}]},\"index\":0}],\"modelVersion\":\"gemini-2.5-flash\"}\r\n\r\n",
        ]);

        using var response = await PostAsync("""{"model":"gem","prompt":"Hi","stream":true}""");
        var body = await response.Content.ReadAsStringAsync();

        var last = Sse.Chunks(body)[^1];
        Assert.True(last.TryGetProperty("error", out var error), body);
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Ollama_AnswersTextCompletionWithUsage()
    {
        _ollama.RespondJson("""
            {"model":"llama3","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"Hey"},"done":true,"done_reason":"stop","prompt_eval_count":6,"eval_count":2}
            """);

        using var response = await PostAsync("""{"model":"llama","prompt":"Hi"}""");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonDocument.Parse(text).RootElement;
        Assert.Equal("text_completion", answer.GetProperty("object").GetString());
        Assert.Equal("llama", answer.GetProperty("model").GetString());
        Assert.Equal("Hey", answer.GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Equal(8, answer.GetProperty("usage").GetProperty("total_tokens").GetInt32());
        Assert.Equal("/api/chat", _ollama.LastRequest.PathAndQuery);
    }
}
