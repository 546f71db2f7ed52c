using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Callbacks;

/// <summary>LiteLLM's generic_api callback end to end: a webhook sink on loopback gets StandardLoggingPayload lists.</summary>
public sealed class GenericApiCallbackTests : IAsyncLifetime
{
    private const string SinkToken = "Bearer sink-token-123";
    private FakeUpstream _upstream = null!;
    private FakeUpstream _sink = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        _sink = await FakeUpstream.StartAsync();
        _sink.RespondJson("""{"status":"ok"}""");
        _gateway = await TestGateway.StartAsync(OpenAiDeploymentYaml.Of("cheap", _upstream), $"""
            litellm_settings:
              callbacks: ["hook"]
            callback_settings:
              hook:
                callback_type: generic_api
                endpoint: {_sink.Url}/logs
                flush_interval: 0.02
                headers:
                  Authorization: {SinkToken}
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _sink.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private void AnswerOk() => _upstream.RespondJson(CallbackRows.OkAnswer);

    /// <summary>The payloads the sink has received, waiting (bounded) until one with <paramref name="id"/> is among them.</summary>
    private Task<JsonElement> PayloadAsync(string id) => WebhookGateway.PayloadAsync(_sink, id);

    private static string CallId(HttpResponseMessage response) => CallbackRows.CallId(response);

    [Fact]
    public async Task SuccessfulChat_PostsStandardLoggingPayloadListWithConfiguredHeaders()
    {
        AnswerOk();
        var key = await _gateway.NewKeyAsync("""{"key_alias":"team-bot"}""");

        using var response = await _gateway.ChatAsync(key);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var payload = await PayloadAsync(CallId(response));

        var post = _sink.Requests.First();
        Assert.Equal("POST", post.Method);
        Assert.Equal("/logs", post.PathAndQuery);
        Assert.Equal(SinkToken, post.Headers["authorization"]);
        Assert.StartsWith("application/json", post.Headers["content-type"], StringComparison.Ordinal);
        Assert.Equal("success", payload.GetProperty("status").GetString());
        Assert.Equal("acompletion", payload.GetProperty("call_type").GetString());
        Assert.Equal("cheap", payload.GetProperty("model_group").GetString());
        Assert.Equal(7, payload.GetProperty("prompt_tokens").GetInt64());
        Assert.Equal(3, payload.GetProperty("completion_tokens").GetInt64());
        Assert.Equal(10, payload.GetProperty("total_tokens").GetInt64());
        Assert.True(payload.GetProperty("endTime").GetDouble() >= payload.GetProperty("startTime").GetDouble());
        var metadata = payload.GetProperty("metadata");
        Assert.Equal("team-bot", metadata.GetProperty("user_api_key_alias").GetString());
        Assert.Equal(64, metadata.GetProperty("user_api_key_hash").GetString()!.Length);
        Assert.Equal(JsonValueKind.Null, payload.GetProperty("error_str").ValueKind);
    }

    [Fact]
    public async Task UpstreamFailure_PostsFailureEventWithErrorFields()
    {
        _upstream.RespondJson("""{"error":{"message":"bad things","type":"invalid_request_error"}}""", 400);

        using var response = await _gateway.ChatAsync(TestGateway.MasterKey);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var payload = await PayloadAsync(CallId(response));

        Assert.Equal("failure", payload.GetProperty("status").GetString());
        Assert.Contains("bad things", payload.GetProperty("error_str").GetString(), StringComparison.Ordinal);
        var error = payload.GetProperty("error_information");
        Assert.Equal("400", error.GetProperty("error_code").GetString());
        Assert.Equal("BadRequestError", error.GetProperty("error_class").GetString());
        Assert.Contains("bad things", error.GetProperty("error_message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, payload.GetProperty("response_cost").GetDouble());
    }

    [Fact]
    public async Task AnyPayload_ContainsNoMasterVirtualOrProviderKey()
    {
        AnswerOk();
        var key = await _gateway.NewKeyAsync();
        using var ok = await _gateway.ChatAsync(key);
        _upstream.RespondJson("""{"error":{"message":"invalid api key sk-upstream","type":"auth_error"}}""", 401);
        using var failed = await _gateway.ChatAsync(TestGateway.MasterKey);
        await PayloadAsync(CallId(ok));
        await PayloadAsync(CallId(failed));

        foreach (var request in _sink.Requests)
        {
            foreach (var secret in (string[])[TestGateway.MasterKey, key, "sk-upstream"])
                Assert.DoesNotContain(secret, request.BodyText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task StreamedChat_LoggedOnceWithStreamFlagAndCompletionStart()
    {
        const string chunk = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}\n\n";
        const string usage = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}\n\n";
        _upstream.RespondStream([chunk, usage, "data: [DONE]\n\n"]);

        using var response = await _gateway.PostStreamAsync("/v1/chat/completions", """{"model":"cheap","stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        await response.Content.ReadAsStringAsync();
        var id = CallId(response);
        var payload = await PayloadAsync(id);

        Assert.True(payload.GetProperty("stream").GetBoolean());
        Assert.Equal(7, payload.GetProperty("total_tokens").GetInt64());
        var start = payload.GetProperty("completionStartTime").GetDouble();
        Assert.InRange(start, payload.GetProperty("startTime").GetDouble() - 1, payload.GetProperty("endTime").GetDouble());
        Assert.Equal(1, _sink.Requests.Sum(r => JsonDocument.Parse(r.Body).RootElement.EnumerateArray().Count(p => p.GetProperty("id").GetString() == id)));
    }

    [Fact]
    public async Task Metrics_ShowEachCallbacksDropsAndQueue()
    {
        var metrics = await _gateway.Client.GetStringAsync("/metrics");

        Assert.Contains("edgegw_callback_dropped_total{callback=\"hook\"} 0", metrics, StringComparison.Ordinal);
        Assert.Contains("edgegw_callback_queued{callback=\"hook\"}", metrics, StringComparison.Ordinal);
    }
}
