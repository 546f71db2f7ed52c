using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;
using static EdgeGw.Tests.Routing.RouterWire;

namespace EdgeGw.Tests.Routing;

/// <summary>Every provider's content-policy refusal is LiteLLM's ContentPolicyViolationError and takes content_policy_fallbacks.</summary>
public sealed class ContentPolicyTests : IAsyncLifetime
{
    private FakeUpstream _guarded = null!;
    private FakeUpstream _backup = null!;

    public async Task InitializeAsync()
    {
        _guarded = await FakeUpstream.StartAsync();
        _backup = await FakeUpstream.StartAsync();
        _backup.RespondJson(Completion("from backup"));
    }

    public async Task DisposeAsync()
    {
        await _guarded.DisposeAsync();
        await _backup.DisposeAsync();
    }

    // Each provider's refusal as its API sends it.
    public static TheoryData<string, int, string, string> Refusals => new()
    {
        { "openai", 400, """{"error":{"message":"Invalid prompt: your prompt was flagged as potentially violating our usage policy. Please try again with a different prompt: https://platform.openai.com/docs/guides/reasoning#advice-on-prompting","type":"invalid_request_error","param":null,"code":"invalid_prompt"}}""", "content_policy_violation" },
        { "openai", 400, """{"error":{"code":"content_policy_violation","message":"Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.","param":null,"type":"invalid_request_error"}}""", "content_policy_violation" },
        { "azure", 400, """{"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI’s content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766","type":null,"param":"prompt","code":"content_filter","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{"custom_blocklists":[{"filtered":true,"id":"raiBlocklistName"}],"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}}}}""", "content_filter" },
        { "azure", 400, """{"error":{"message":"The response was filtered.","type":null,"param":"prompt","code":"400","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{"jailbreak":{"filtered":true,"detected":true}}}}}""", "content_filter" },
        { "anthropic", 400, """{"type":"error","error":{"type":"invalid_request_error","message":"Output blocked by content filtering policy"},"request_id":"req_011CUpxsA4xrQ4yAeVvCuA1T"}""", "content_policy_violation" },
        { "gemini", 400, """{"error":{"code":400,"message":"The response was blocked.","status":"INVALID_ARGUMENT"}}""", "content_policy_violation" },
    };

    private Task<TestGateway> Start(string provider, string router) => TestGateway.StartAsync($"""
        - model_name: guarded
          litellm_params:
            model: {provider}/guarded-model
            api_base: {_guarded.Url}{(provider == "openai" ? "/v1" : "")}
            api_key: sk-guarded
            api_version: "2024-10-21"
          model_info:
            id: dep-guarded
        {Deployment("backup", _backup, "dep-backup")}
        """, "router_settings:\n  " + router);

    private const string Request = """{"model":"guarded","messages":[{"role":"user","content":"hi"}]}""";

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task ProviderRefusal_FallsBackOnContentPolicyFallbacksWithoutRetry(string provider, int status, string body, string code)
    {
        _ = code;
        _guarded.RespondJson(body, status);
        await using var gateway = await Start(provider, "num_retries: 3\n  content_policy_fallbacks: [{\"guarded\": [\"backup\"]}]\n  fallbacks: [{\"guarded\": [\"nowhere\"]}]");

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("backup", Header(response, "x-litellm-model-group"));
        Assert.Single(_guarded.Requests);
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task ProviderRefusalWithoutFallbacks_IsContentPolicyViolation400(string provider, int status, string body, string code)
    {
        _guarded.RespondJson(body, status);
        await using var gateway = await Start(provider, "num_retries: 3");

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Request);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.StartsWith("litellm.ContentPolicyViolationError: ", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Single(_guarded.Requests);
    }

    [Fact]
    public async Task RefusalWithOnlyRegularFallbacks_FallsBackOnThem()
    {
        // LiteLLM: without content_policy_fallbacks the regular list applies.
        _guarded.RespondJson("""{"type":"error","error":{"type":"invalid_request_error","message":"Output blocked by content filtering policy"}}""", 400);
        await using var gateway = await Start("anthropic", "fallbacks: [{\"guarded\": [\"backup\"]}]");

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("backup", Header(response, "x-litellm-model-group"));
    }

    [Fact]
    public async Task AnthropicRefusalToMessagesClient_AnthropicEnvelope()
    {
        _guarded.RespondJson("""{"type":"error","error":{"type":"invalid_request_error","message":"Output blocked by content filtering policy"}}""", 400);
        await using var gateway = await Start("anthropic", "num_retries: 0");

        using var response = await gateway.PostJsonAsync("/v1/messages", """{"model":"guarded","max_tokens":50,"messages":[{"role":"user","content":"hi"}]}""");
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("error", json.GetProperty("type").GetString());
        Assert.Equal("invalid_request_error", json.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal("litellm.ContentPolicyViolationError: Output blocked by content filtering policy", json.GetProperty("error").GetProperty("message").GetString());
    }

    // Gemini blocks the prompt with a 200 and no candidates.
    private const string GeminiPromptBlocked =
        """{"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},"usageMetadata":{"promptTokenCount":8,"totalTokenCount":8,"promptTokensDetails":[{"modality":"TEXT","tokenCount":8}]},"modelVersion":"gemini-2.5-flash","responseId":"kY0waNfDHoKmz7IPqZ-c6AE"}""";

    private const string AzureFilteredOutput =
        """{"choices":[{"content_filter_results":{"sexual":{"filtered":true,"severity":"medium"}},"finish_reason":"content_filter","index":0,"logprobs":null,"message":{"content":null,"refusal":null,"role":"assistant"}}],"created":1750697159,"id":"chatcmpl-BleatwEUn3D8iXsgXpDqeOPEMuW3k","model":"gpt-4o-2024-08-06","object":"chat.completion","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}],"system_fingerprint":"fp_ee1d74bde0","usage":{"completion_tokens":0,"prompt_tokens":12,"total_tokens":12}}""";

    [Fact]
    public async Task GeminiPromptBlockedWithoutContentPolicyFallback_200ContentFilter()
    {
        _guarded.RespondJson(GeminiPromptBlocked);
        await using var gateway = await Start("gemini", "fallbacks: [{\"guarded\": [\"backup\"]}]");

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Request);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("content_filter", json.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Empty(_backup.Requests);
    }

    [Theory]
    [InlineData("gemini", GeminiPromptBlocked)]
    [InlineData("azure", AzureFilteredOutput)]
    public async Task FilteredAnswerWithContentPolicyFallback_FallsBack(string provider, string answer)
    {
        _guarded.RespondJson(answer);
        await using var gateway = await Start(provider, "content_policy_fallbacks: [{\"guarded\": [\"backup\"]}]");

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Request);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("from backup", json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("backup", Header(response, "x-litellm-model-group"));
    }

    [Fact]
    public async Task FilteredAnswerWhenFallbackAlsoFails_ContentPolicyViolation400()
    {
        _guarded.RespondJson(GeminiPromptBlocked);
        _backup.RespondJson(Error("down"), 503);
        await using var gateway = await Start("gemini", "num_retries: 0\n  default_fallbacks: [\"backup\"]");

        using var response = await gateway.PostJsonAsync("/v1/messages", """{"model":"guarded","max_tokens":50,"messages":[{"role":"user","content":"hi"}]}""");
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", json.GetProperty("error").GetProperty("type").GetString());
        Assert.StartsWith("litellm.ContentPolicyViolationError: Response output was blocked", json.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("guarded", Header(response, "x-litellm-model-group"));
    }

    [Fact]
    public async Task AnthropicRefusalToMessagesClientWithContentPolicyFallback_FallsBack()
    {
        _guarded.RespondJson(Providers.Anthropic.AnthropicWireFixtures.TextMessage("", "refusal"));
        await using var gateway = await Start("anthropic", "content_policy_fallbacks: [{\"guarded\": [\"backup\"]}]");

        using var response = await gateway.PostJsonAsync("/v1/messages", """{"model":"guarded","max_tokens":50,"messages":[{"role":"user","content":"hi"}]}""");
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("from backup", json.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("end_turn", json.GetProperty("stop_reason").GetString());
    }
}
