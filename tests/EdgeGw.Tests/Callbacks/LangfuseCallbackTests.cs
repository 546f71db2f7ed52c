using System.Net;
using System.Text;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Callbacks;

/// <summary>LiteLLM's langfuse callback end to end: a fake Langfuse ingestion API on loopback gets a trace and a generation per request.</summary>
public sealed class LangfuseCallbackTests : IAsyncLifetime
{
    private FakeUpstream _upstream = null!;
    private FakeLangfuse _langfuse = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        _langfuse = await FakeLangfuse.StartAsync();
        _gateway = await TestGateway.StartAsync(OpenAiDeploymentYaml.Of("cheap", _upstream), $"""
            litellm_settings:
              success_callback: ["langfuse"]
              failure_callback: ["langfuse"]
            {_langfuse.Environment()}
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _langfuse.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private void AnswerOk() => _upstream.RespondJson(CallbackRows.OkAnswer);

    private static string CallId(HttpResponseMessage response) => CallbackRows.CallId(response);

    [Fact]
    public async Task SuccessfulChat_PostsTraceAndGenerationWithUsageCostAndBasicAuth()
    {
        AnswerOk();
        var key = await _gateway.NewKeyAsync("""{"key_alias":"team-bot"}""");

        using var response = await _gateway.ChatAsync(key);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = CallId(response);
        var trace = await _langfuse.TraceAsync(id);
        var generation = await _langfuse.GenerationAsync(id);

        var post = _langfuse.Sink.Requests.First();
        Assert.Equal("POST", post.Method);
        Assert.Equal("/api/public/ingestion", post.PathAndQuery);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{FakeLangfuse.PublicKey}:{FakeLangfuse.SecretKey}")), post.Headers["authorization"]);
        Assert.Equal(FakeLangfuse.PublicKey, post.Json().RootElement.GetProperty("metadata").GetProperty("public_key").GetString());
        Assert.Equal("litellm-acompletion", trace.GetProperty("name").GetString());
        Assert.Equal("litellm:team-bot", generation.GetProperty("name").GetString());
        Assert.Equal("gpt-4o", generation.GetProperty("model").GetString());
        Assert.Equal("DEFAULT", generation.GetProperty("level").GetString());
        var usage = generation.GetProperty("usage");
        Assert.Equal((7, 3, 10, "TOKENS"), (usage.GetProperty("input").GetInt64(), usage.GetProperty("output").GetInt64(), usage.GetProperty("total").GetInt64(), usage.GetProperty("unit").GetString()));
        var details = generation.GetProperty("usageDetails");
        Assert.Equal((7, 3, 10), (details.GetProperty("input").GetInt64(), details.GetProperty("output").GetInt64(), details.GetProperty("total").GetInt64()));
        var cost = generation.GetProperty("costDetails").GetProperty("total").GetDouble();
        Assert.True(cost > 0);
        Assert.Equal(cost, usage.GetProperty("totalCost").GetDouble());
        Assert.Equal(cost, generation.GetProperty("metadata").GetProperty("litellm_response_cost").GetDouble());
        var start = generation.GetProperty("startTime").GetDateTimeOffset();
        var end = generation.GetProperty("endTime").GetDateTimeOffset();
        Assert.InRange(start, DateTimeOffset.UtcNow.AddMinutes(-1), end);
        Assert.Equal(end, generation.GetProperty("completionStartTime").GetDateTimeOffset());
        var metadata = generation.GetProperty("metadata");
        Assert.Equal("team-bot", metadata.GetProperty("user_api_key_alias").GetString());
        Assert.Equal(64, metadata.GetProperty("user_api_key_hash").GetString()!.Length);
        Assert.Equal("cheap", metadata.GetProperty("model_group").GetString());
    }

    [Fact]
    public async Task RequestMetadata_MapsTraceSessionUserTagsAndGenerationNameAsLiteLlm()
    {
        AnswerOk();
        using var response = await _gateway.ChatAsync(TestGateway.MasterKey, """
            {"model":"cheap","messages":[{"role":"user","content":"hi"}],"metadata":{
              "generation_name":"ask-bot","generation_id":"gen-42","trace_id":"trace-42","trace_name":"support-chat",
              "session_id":"session-7","trace_user_id":"user-9","tags":["prod","bot"],"version":"v3",
              "trace_metadata":{"tenant":"acme"},"trace_release":"r1","feature":"search"}}
            """);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var trace = await _langfuse.TraceAsync("trace-42");
        var generation = await _langfuse.GenerationAsync("trace-42");

        Assert.Equal("support-chat", trace.GetProperty("name").GetString());
        Assert.Equal("session-7", trace.GetProperty("sessionId").GetString());
        Assert.Equal("user-9", trace.GetProperty("userId").GetString());
        Assert.Equal(["prod", "bot"], trace.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("v3", trace.GetProperty("version").GetString());
        Assert.Equal("r1", trace.GetProperty("release").GetString());
        Assert.Equal("acme", trace.GetProperty("metadata").GetProperty("tenant").GetString());
        Assert.Equal("gen-42", generation.GetProperty("id").GetString());
        Assert.Equal("ask-bot", generation.GetProperty("name").GetString());
        Assert.Equal("v3", generation.GetProperty("version").GetString());
        Assert.Equal("search", generation.GetProperty("metadata").GetProperty("requester_metadata").GetProperty("feature").GetString());
    }

    [Fact]
    public async Task ExistingTraceId_AddsGenerationWithoutRenamingTheTrace()
    {
        AnswerOk();
        using var response = await _gateway.ChatAsync(TestGateway.MasterKey, """
            {"model":"cheap","messages":[{"role":"user","content":"hi"}],"metadata":{"existing_trace_id":"trace-old","trace_name":"ignored"}}
            """);
        var trace = await _langfuse.TraceAsync("trace-old");
        var generation = await _langfuse.GenerationAsync("trace-old");

        Assert.False(trace.TryGetProperty("name", out _));
        Assert.False(trace.TryGetProperty("tags", out _));
        Assert.StartsWith("time-", generation.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.EndsWith(CallId(response), generation.GetProperty("id").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpstreamFailure_GenerationIsErrorWithStatusMessage()
    {
        _upstream.RespondJson("""{"error":{"message":"bad things","type":"invalid_request_error"}}""", 400);

        using var response = await _gateway.ChatAsync(TestGateway.MasterKey);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var generation = await _langfuse.GenerationAsync(CallId(response));

        Assert.Equal("ERROR", generation.GetProperty("level").GetString());
        Assert.Contains("bad things", generation.GetProperty("statusMessage").GetString(), StringComparison.Ordinal);
        Assert.Contains("bad things", generation.GetProperty("output").GetString(), StringComparison.Ordinal);
        Assert.False(generation.TryGetProperty("usage", out _));
        Assert.Equal(JsonValueKind.Null, generation.GetProperty("metadata").GetProperty("litellm_response_cost").ValueKind);
    }

    [Fact]
    public async Task StreamedChat_LoggedOnceWithCompletionStartTime()
    {
        const string chunk = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}\n\n";
        const string usage = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}\n\n";
        _upstream.RespondStream([chunk, usage, "data: [DONE]\n\n"]);

        using var response = await _gateway.PostStreamAsync("/v1/chat/completions", """{"model":"cheap","stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        await response.Content.ReadAsStringAsync();
        var id = CallId(response);
        var generation = await _langfuse.GenerationAsync(id);

        Assert.Equal(7, generation.GetProperty("usage").GetProperty("total").GetInt64());
        Assert.True(generation.GetProperty("modelParameters").GetProperty("stream").GetBoolean());
        Assert.InRange(generation.GetProperty("completionStartTime").GetDateTimeOffset(),
            generation.GetProperty("startTime").GetDateTimeOffset(), generation.GetProperty("endTime").GetDateTimeOffset());
        Assert.Single(_langfuse.Events, e => e.GetProperty("type").GetString() == "generation-create" && e.GetProperty("body").GetProperty("traceId").GetString() == id);
        Assert.Single(_langfuse.Events, e => e.GetProperty("type").GetString() == "trace-create" && e.GetProperty("body").GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task AnyPayload_ContainsNoMasterVirtualProviderOrLangfuseSecret()
    {
        AnswerOk();
        var key = await _gateway.NewKeyAsync();
        using var ok = await _gateway.ChatAsync(key);
        _upstream.RespondJson("""{"error":{"message":"invalid api key sk-upstream","type":"auth_error"}}""", 401);
        using var failed = await _gateway.ChatAsync(TestGateway.MasterKey);
        await _langfuse.GenerationAsync(CallId(ok));
        await _langfuse.GenerationAsync(CallId(failed));

        foreach (var request in _langfuse.Sink.Requests)
        {
            foreach (var secret in (string[])[TestGateway.MasterKey, key, "sk-upstream", FakeLangfuse.SecretKey])
                Assert.DoesNotContain(secret, request.BodyText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Metrics_ShowLangfuseDropsAndQueue()
    {
        var metrics = await _gateway.Client.GetStringAsync("/metrics");

        Assert.Contains("edgegw_callback_dropped_total{callback=\"langfuse\"} 0", metrics, StringComparison.Ordinal);
        Assert.Contains("edgegw_callback_queued{callback=\"langfuse\"}", metrics, StringComparison.Ordinal);
    }
}
