using System.Net;
using System.Text;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.E2E;

/// <summary>The Docker tutorial's Ollama entry through the native binary: NDJSON in, OpenAI out.</summary>
public sealed class OllamaTests : IAsyncLifetime
{
    private FakeUpstream _ollama = null!;
    private GatewayProcess _gateway = null!;

    public async Task InitializeAsync()
    {
        _ollama = await FakeUpstream.StartAsync();
        _gateway = await GatewayProcess.StartAsync($"""
            model_list:
              - model_name: llama-local
                litellm_params:
                  model: ollama/llama3.3:8b
                  api_base: {_ollama.Url}
              - model_name: llama-chat
                litellm_params:
                  model: ollama_chat/llama3.2
                  api_base: {_ollama.Url}
            general_settings:
              master_key: {GatewayProcess.MasterKey}
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _ollama.DisposeAsync();
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task TutorialEntry_AnswersFromApiGenerate()
    {
        _ollama.RespondJson("""{"model":"llama3.3:8b","created_at":"2026-11-30T10:00:00Z","response":"Blue, by Rayleigh scattering.","done":true,"done_reason":"stop","prompt_eval_count":12,"eval_count":7}""");

        using var response = await _gateway.Client.PostAsync("/v1/chat/completions", Json("""{"model":"llama-local","messages":[{"role":"user","content":"Why is the sky blue?"}]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/api/generate", _ollama.LastRequest.PathAndQuery);
        Assert.Equal("### User:\nWhy is the sky blue?\n\n", _ollama.LastRequest.Json().RootElement.GetProperty("prompt").GetString());
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Blue, by Rayleigh scattering.", body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(19, body.GetProperty("usage").GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task ChatToolStream_ReachesOpenAiClientWithArgumentsString()
    {
        _ollama.RespondStream([
            """{"model":"llama3.2","created_at":"2026-11-30T10:00:00.1Z","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"lookup","arguments":{"q":"café ☕"}}}]},"done":false}""" + "\n",
            """{"model":"llama3.2","created_at":"2026-11-30T10:00:00.2Z","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"prompt_eval_count":20,"eval_count":9}""" + "\n"],
            contentType: "application/x-ndjson");

        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = Json("""{"model":"llama-chat","stream":true,"messages":[{"role":"user","content":"find café"}],"tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object"}}}]}"""),
        };
        using var response = await _gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal("/api/chat", _ollama.LastRequest.PathAndQuery);
        var chunks = Sse.Chunks(body);
        var arguments = Sse.ToolArguments(body);
        Assert.Equal("café ☕", JsonDocument.Parse(arguments).RootElement.GetProperty("q").GetString());
        Assert.Equal("tool_calls", chunks.Last(c => c.GetProperty("choices").GetArrayLength() > 0).GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
    }
}
