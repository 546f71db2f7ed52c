using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;
using EdgeGw.Tests.Routing;

namespace EdgeGw.Tests.Api;

/// <summary>LiteLLM's own request fields: recorded on the spend row, never sent to the provider.</summary>
public sealed class LiteLlmRequestFieldsTests : IAsyncLifetime
{
    private FakeUpstream _openai = null!;
    private FakeUpstream _anthropic = null!;
    private TestGateway _gateway = null!;

    private const string OpenAiEmbeddings = """{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5,-0.25]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":3,"total_tokens":3}}""";
    private const string AnthropicMessage = """{"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[{"type":"text","text":"Consistency, availability, partition tolerance."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":14,"output_tokens":6}}""";

    public async Task InitializeAsync()
    {
        _openai = await FakeUpstream.StartAsync();
        _anthropic = await FakeUpstream.StartAsync();
        _openai.RespondJson(RouterWire.Completion("ok"));
        _anthropic.RespondJson(AnthropicMessage);
        _gateway = await TestGateway.StartAsync($"""
            - model_name: gpt
              litellm_params:
                model: openai/gpt-4o
                api_base: {_openai.Url}/v1
                api_key: sk-up
            - model_name: embed
              litellm_params:
                model: openai/text-embedding-3-small
                api_base: {_openai.Url}/v1
                api_key: sk-up
            - model_name: claude-sonnet
              litellm_params:
                model: anthropic/claude-sonnet-4-6
                api_base: {_anthropic.Url}
                api_key: sk-ant-up
            """, "router_settings:\n  num_retries: 0\n");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _openai.DisposeAsync();
        await _anthropic.DisposeAsync();
    }

    private static string[] Keys(RecordedRequest sent) =>
        [.. sent.Json().RootElement.EnumerateObject().Select(p => p.Name)];

    private async Task<JsonElement> RowAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var id = response.Headers.GetValues("x-litellm-call-id").Single();
        return (await _gateway.GetAdminAsync($"/spend/logs?request_id={id}"))[0];
    }

    private static string[] Tags(JsonElement row) => [.. row.GetProperty("request_tags").EnumerateArray().Select(t => t.GetString()!)];

    [Fact]
    public async Task ChatWithLiteLlmFields_UpstreamGetsOnlyOpenAiFieldsAndRowRecordsThem()
    {
        await _gateway.PostAdminAsync("/team/new", """{"team_id":"t-growth","team_alias":"Growth"}""");
        var key = await _gateway.NewKeyAsync("""{"team_id":"t-growth","user_id":"alice","key_alias":"alice-dev"}""");
        const string body = """
            {"model":"gpt","messages":[{"role":"user","content":"hi"}],"max_tokens":20,"user":"customer-7",
             "metadata":{"feature":"search","tags":["from-metadata"],"spend_logs_metadata":{"ticket":"T-1"},"user_api_key_alias":"forged"},
             "tags":["prod","search"],"litellm_metadata":{"tags":["ignored"]},"request_timeout":30,"timeout":30,
             "num_retries":1,"caching":false,"guardrails":["pii"],"litellm_trace_id":"trace-1","mock_response":"never"}
            """;

        using var response = await _gateway.ChatAsync(key, body);
        var row = await RowAsync(response);

        Assert.Equal(["model", "messages", "max_tokens", "user"], Keys(_openai.LastRequest));
        Assert.Equal(["prod", "search"], Tags(row));
        Assert.Equal("customer-7", row.GetProperty("end_user").GetString());
        var metadata = row.GetProperty("metadata");
        Assert.Equal("alice-dev", metadata.GetProperty("user_api_key_alias").GetString());
        Assert.Equal("t-growth", metadata.GetProperty("user_api_key_team_id").GetString());
        Assert.Equal("Growth", metadata.GetProperty("user_api_key_team_alias").GetString());
        Assert.Equal("alice", metadata.GetProperty("user_api_key_user_id").GetString());
        Assert.Equal(row.GetProperty("api_key").GetString(), metadata.GetProperty("user_api_key").GetString());
        Assert.Equal("T-1", metadata.GetProperty("spend_logs_metadata").GetProperty("ticket").GetString());
        var requester = metadata.GetProperty("requester_metadata");
        Assert.Equal("search", requester.GetProperty("feature").GetString());
        Assert.False(requester.TryGetProperty("user_api_key_alias", out _));
        Assert.False(requester.TryGetProperty("tags", out _));
        Assert.DoesNotContain(key, row.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task XLitellmTagsHeader_BecomesRequestTagsMergedWithKeyTags()
    {
        var key = await _gateway.NewKeyAsync("""{"metadata":{"tags":["team-a","beta"]}}""");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"gpt","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        request.Headers.Add("x-litellm-tags", "beta, nightly");
        request.Headers.Add("x-litellm-customer-id", "acme");
        request.Headers.Add("x-litellm-spend-logs-metadata", """{"ticket":"T-9"}""");

        using var response = await _gateway.Client.SendAsync(request);
        var row = await RowAsync(response);

        Assert.Equal(["beta", "nightly", "team-a"], Tags(row));
        Assert.Equal("acme", row.GetProperty("end_user").GetString());
        Assert.Equal("T-9", row.GetProperty("metadata").GetProperty("spend_logs_metadata").GetProperty("ticket").GetString());
        Assert.Equal(["model", "messages"], Keys(_openai.LastRequest));
    }

    [Fact]
    public async Task MessagesEndpoint_KeepsAnthropicMetadataAndStripsLiteLlmFields()
    {
        const string body = """{"model":"claude-sonnet","max_tokens":64,"metadata":{"user_id":"claude-code-user"},"litellm_metadata":{"tags":["cli"]},"tags":["agent"],"timeout":20,"messages":[{"role":"user","content":"Hi"}]}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-api-key", TestGateway.MasterKey);
        request.Headers.Add("anthropic-version", "2023-06-01");

        using var response = await _gateway.Client.SendAsync(request);
        var row = await RowAsync(response);

        Assert.Equal("""{"model":"claude-sonnet-4-6","max_tokens":64,"metadata":{"user_id":"claude-code-user"},"messages":[{"role":"user","content":"Hi"}]}""",
            _anthropic.LastRequest.BodyText);
        Assert.Equal(["agent"], Tags(row));
        Assert.Equal("claude-code-user", row.GetProperty("end_user").GetString());
        Assert.Equal("anthropic", row.GetProperty("custom_llm_provider").GetString());
    }

    [Fact]
    public async Task EmbeddingsWithLiteLlmFields_UpstreamGetsOnlyOpenAiFields()
    {
        _openai.RespondJson(OpenAiEmbeddings);
        using var response = await _gateway.PostJsonAsync("/v1/embeddings",
            """{"model":"embed","input":"hello","metadata":{"job":"index"},"tags":["batch"],"user":"indexer"}""");
        var row = await RowAsync(response);

        Assert.Equal(["model", "input", "user"], Keys(_openai.LastRequest));
        Assert.Equal(["batch"], Tags(row));
        Assert.Equal("indexer", row.GetProperty("end_user").GetString());
        Assert.Equal("index", row.GetProperty("metadata").GetProperty("requester_metadata").GetProperty("job").GetString());
    }

    /// <summary>The SDK-to-proxy tutorial's cost-attribution call (its extra_body merged into the body, as the OpenAI SDK sends it).</summary>
    [Fact]
    public async Task TutorialCostAttributionRequest_MetadataRecordedNotSentToAnthropic()
    {
        const string body = """
            {"model": "claude-sonnet", "messages": [{"role": "user", "content": "What is the CAP theorem?"}], "max_tokens": 300,
             "user_id": "user_8821", "team_id": "platform-team",
             "metadata": {"feature": "documentation-assistant", "session_id": "sess_abc123", "environment": "production"}}
            """;

        using var response = await _gateway.PostJsonAsync("/chat/completions", body);
        var row = await RowAsync(response);

        var sent = _anthropic.LastRequest.Json().RootElement;
        Assert.False(sent.TryGetProperty("metadata", out _));
        Assert.False(sent.TryGetProperty("user_id", out _));
        Assert.False(sent.TryGetProperty("team_id", out _));
        var requester = row.GetProperty("metadata").GetProperty("requester_metadata");
        Assert.Equal("documentation-assistant", requester.GetProperty("feature").GetString());
        Assert.Equal("sess_abc123", requester.GetProperty("session_id").GetString());
        Assert.Equal("production", requester.GetProperty("environment").GetString());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("team_id").ValueKind); // a body can't claim a team: its key's team counts
    }

    [Fact]
    public async Task MockResponse_KeyAllowingIt_AnsweredWithoutProvider()
    {
        var key = await _gateway.NewKeyAsync("""{"metadata":{"allow_client_mock_response":true}}""");
        var before = _openai.Requests.Count;

        using var response = await _gateway.ChatAsync(key, """{"model":"gpt","messages":[{"role":"user","content":"hi"}],"mock_response":"canned answer"}""");

        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("canned answer", JsonDocument.Parse(text).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(before, _openai.Requests.Count);
    }

    [Fact]
    public async Task MockResponse_OrdinaryKey_ProviderAnswersAndFieldNotForwarded()
    {
        var key = await _gateway.NewKeyAsync();

        using var response = await _gateway.ChatAsync(key, """{"model":"gpt","messages":[{"role":"user","content":"hi"}],"mock_response":"canned answer"}""");

        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal("ok", JsonDocument.Parse(text).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(["model", "messages"], Keys(_openai.LastRequest));
    }
}
