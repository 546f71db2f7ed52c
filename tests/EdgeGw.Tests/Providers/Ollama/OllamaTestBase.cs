using System.Text;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Providers.Ollama;

/// <summary>
/// A gateway with the tutorial's <c>ollama/</c> entry (<c>llama-local</c>) and <c>ollama_chat/</c>
/// entries (<c>llama-chat</c>; <c>gpt-local</c>, named like a priced model) in front of one fake Ollama on loopback.
/// </summary>
public abstract class OllamaTestBase : IAsyncLifetime
{
    public const string ChatPath = "/v1/chat/completions";

    protected FakeUpstream Upstream { get; private set; } = null!;
    protected TestGateway Gateway { get; private set; } = null!;

    protected virtual string ChatApiBaseSuffix => "";
    protected virtual string ChatExtraParams => "";

    public async Task InitializeAsync()
    {
        Upstream = await FakeUpstream.StartAsync();
        Gateway = await TestGateway.StartAsync($"""
            - model_name: llama-local
              litellm_params:
                model: ollama/llama3.3:8b
                api_base: {Upstream.Url}
            - model_name: llama-chat
              litellm_params:
                model: ollama_chat/llama3.2
                api_base: {Upstream.Url}{ChatApiBaseSuffix}{ChatExtraParams}
            - model_name: gpt-local
              litellm_params:
                model: ollama_chat/gpt-4o:latest
                api_base: {Upstream.Url}
            """, "router_settings:\n  num_retries: 0\n");
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
    }

    protected Task<HttpResponseMessage> ChatAsync(string json) => Gateway.PostJsonAsync(ChatPath, json);

    protected async Task<string> StreamAsync(string json)
    {
        using var response = await Gateway.PostStreamAsync(ChatPath, json);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Answers with NDJSON sent in the given pieces, flushing after each.</summary>
    protected void RespondNdjson(params string[] pieces) => Upstream.RespondStream(pieces, contentType: "application/x-ndjson");

    protected async Task<HttpResponseMessage> MessagesAsync(string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-api-key", TestGateway.MasterKey);
        request.Headers.Add("anthropic-version", "2023-06-01");
        using var client = new HttpClient { BaseAddress = Gateway.BaseAddress };
        return await client.SendAsync(request);
    }

    protected static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    /// <summary>The JSON body the fake Ollama received last.</summary>
    protected JsonElement Sent => Upstream.LastRequest.Json().RootElement;

    protected static JsonElement Message(JsonElement completion) => completion.GetProperty("choices")[0].GetProperty("message");
}

/// <summary>Ollama's native wire bytes, written for these tests (one object a line).</summary>
public static class OllamaWireFixtures
{
    public static string ChatLine(string escapedContent, string model = "llama3.2", string createdAt = "2026-11-30T10:00:00.1Z") =>
        $$"""{"model":"{{model}}","created_at":"{{createdAt}}","message":{"role":"assistant","content":"{{escapedContent}}"},"done":false}""" + "\n";

    public static string ChatDone(string reason = "stop", int prompt = 26, int eval = 282, string model = "llama3.2") =>
        $$"""{"model":"{{model}}","created_at":"2026-11-30T10:00:01.9Z","message":{"role":"assistant","content":""},"done_reason":"{{reason}}","done":true,"total_duration":4883583458,"load_duration":1334875,"prompt_eval_count":{{prompt}},"prompt_eval_duration":342546000,"eval_count":{{eval}},"eval_duration":4535599000}""" + "\n";

    public static string GenerateLine(string escapedResponse) =>
        $$"""{"model":"llama3.3:8b","created_at":"2026-11-30T10:00:00.2Z","response":"{{escapedResponse}}","done":false}""" + "\n";

    public static string GenerateDone(string reason = "stop", int prompt = 12, int eval = 4) =>
        $$"""{"model":"llama3.3:8b","created_at":"2026-11-30T10:00:00.9Z","response":"","done":true,"done_reason":"{{reason}}","context":[1,2,3],"total_duration":10706818083,"prompt_eval_count":{{prompt}},"eval_count":{{eval}}}""" + "\n";

    public const string ToolCallLine =
        """{"model":"llama3.2","created_at":"2026-11-30T10:00:00.3Z","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Tokyo","unit":"c \"deg\""}}}]},"done":false}""" + "\n";

    public const string ChatResponse =
        """{"model":"llama3.2","created_at":"2026-11-30T10:00:00.5Z","message":{"role":"assistant","content":"Hello \"there\" ✓\n","thinking":"user greets"},"done_reason":"stop","done":true,"total_duration":5191566416,"prompt_eval_count":26,"eval_count":298}""";

    public const string GenerateResponse =
        """{"model":"llama3.3:8b","created_at":"2026-11-30T10:00:00.5Z","response":"The sky is blue.","done":true,"done_reason":"length","context":[1,2,3],"total_duration":5043500667,"prompt_eval_count":12,"eval_count":5}""";

    public const string ModelNotFound = """{"error":"model \"llama3.2\" not found, try pulling it first"}""";
}
