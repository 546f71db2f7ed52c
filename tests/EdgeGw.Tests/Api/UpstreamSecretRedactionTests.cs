using System.Net.Http.Headers;
using System.Text;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Api;

/// <summary>An upstream error that echoes the deployment's key never hands it to the client, on any path.</summary>
public sealed class UpstreamSecretRedactionTests : IAsyncLifetime
{
    private const string OpenAiKey = "oa-secret-4f1c2b9e";
    private const string AnthropicKey = "ant-secret-7d3e0a15";
    private const string GeminiKey = "AIzaGeminiSecret9c8b";
    private const string OllamaKey = "ollama-secret-2a6f";

    private FakeUpstream _upstream = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync($"""
            - model_name: gpt
              litellm_params:
                model: openai/gpt-4o
                api_base: {_upstream.Url}/v1
                api_key: {OpenAiKey}
            - model_name: claude
              litellm_params:
                model: anthropic/claude-sonnet-4-5-20250929
                api_base: {_upstream.Url}
                api_key: {AnthropicKey}
            - model_name: gem
              litellm_params:
                model: gemini/gemini-2.5-flash
                api_base: {_upstream.Url}
                api_key: {GeminiKey}
            - model_name: llama
              litellm_params:
                model: ollama_chat/llama3.2
                api_base: {_upstream.Url}
                api_key: {OllamaKey}
            """, "router_settings:\n  num_retries: 0\n");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private static string Chat(string model, bool stream = false) =>
        $$$"""{"model":"{{{model}}}","stream":{{{(stream ? "true" : "false")}}},"messages":[{"role":"user","content":"hi"}]}""";

    private async Task<string> MessagesAsync(bool stream)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = new StringContent($$$"""{"model":"claude","max_tokens":64,"stream":{{{(stream ? "true" : "false")}}},"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-api-key", TestGateway.MasterKey);
        request.Headers.Add("anthropic-version", "2023-06-01");
        using var response = await _gateway.Client.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<string> ChatAsync(string body)
    {
        using var response = await _gateway.PostJsonAsync("/v1/chat/completions", body);
        return await response.Content.ReadAsStringAsync();
    }

    private static void AssertRedacted(string clientBytes, string key)
    {
        Assert.DoesNotContain(key, clientBytes, StringComparison.Ordinal);
        Assert.Contains("[redacted]", clientBytes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAiErrorWithKeyInMessageParamAndCode_IsRedactedInEveryField()
    {
        _upstream.RespondJson($$$"""{"error":{"message":"Incorrect API key provided: {{{OpenAiKey}}}","type":"invalid_request_error","param":"{{{OpenAiKey}}}","code":"bad_key_{{{OpenAiKey}}}"}}""", 401);

        var text = await ChatAsync(Chat("gpt"));

        AssertRedacted(text, OpenAiKey);
        Assert.Contains("\"param\":\"[redacted]\"", text, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"bad_key_[redacted]\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAiErrorWithAnotherProviderKeyShape_IsRedacted()
    {
        _upstream.RespondJson("""{"error":{"message":"Incorrect API key provided: sk-proj-abcdefghijklmnopqrstuvwxyz012345","type":"invalid_request_error","code":"invalid_api_key"}}""", 401);

        var text = await ChatAsync(Chat("gpt"));

        AssertRedacted(text, "abcdefghijklmnopqrstuvwxyz012345");
    }

    [Fact]
    public async Task OpenAiStreamInBandErrorEchoingTheKey_IsRedacted()
    {
        _upstream.RespondStream([
            """data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}""" + "\n\n",
            $$$"""data: {"error":{"message":"key {{{OpenAiKey}}} revoked","type":"server_error","param":"{{{OpenAiKey}}}","code":"{{{OpenAiKey}}}"}}""" + "\n\n",
        ]);

        var text = await ChatAsync(Chat("gpt", stream: true));

        AssertRedacted(text, OpenAiKey);
        Assert.Contains("\"content\":\"Hi\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnthropicStreamErrorEventToMessagesClient_IsRedacted()
    {
        _upstream.RespondStream([
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n",
            $$$"""event: error{{{"\n"}}}data: {"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key: {{{AnthropicKey}}}"}}{{{"\n\n"}}}""",
        ]);

        var text = await MessagesAsync(stream: true);

        AssertRedacted(text, AnthropicKey);
        Assert.Contains("event: error", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnthropicErrorToMessagesClient_IsRedacted()
    {
        _upstream.RespondJson($$$"""{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key: {{{AnthropicKey}}}"}}""", 401);

        var text = await MessagesAsync(stream: false);

        AssertRedacted(text, AnthropicKey);
    }

    [Fact]
    public async Task GeminiErrorEchoingTheKey_IsRedacted()
    {
        _upstream.RespondJson($$$"""{"error":{"code":400,"message":"API key not valid: {{{GeminiKey}}}","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]}}""", 400);

        var text = await ChatAsync(Chat("gem"));

        AssertRedacted(text, GeminiKey);
    }

    [Fact]
    public async Task OllamaErrorEchoingTheKey_IsRedacted()
    {
        _upstream.RespondJson($$$"""{"error":"unauthorized: bearer {{{OllamaKey}}} is not valid"}""", 401);

        var text = await ChatAsync(Chat("llama"));

        AssertRedacted(text, OllamaKey);
    }
}
