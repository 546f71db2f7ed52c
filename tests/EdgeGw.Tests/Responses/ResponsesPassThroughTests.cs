using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Responses;

/// <summary>/v1/responses on OpenAI and Azure deployments: the client's body to the upstream's Responses API, model spliced, usage billed.</summary>
public sealed class ResponsesPassThroughTests : IAsyncLifetime
{
    private FakeUpstream _openai = null!;
    private FakeUpstream _azure = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _openai = await FakeUpstream.StartAsync();
        _azure = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync($"""
            - model_name: gpt
              litellm_params:
                model: openai/gpt-4.1-mini
                api_base: {_openai.Url}/v1
                api_key: sk-upstream-secret
            - model_name: az
              litellm_params:
                model: azure/my-gpt-deployment
                api_base: {_azure.Url}
                api_key: az-upstream-secret
                api_version: 2025-03-01-preview
            - model_name: az1
              litellm_params:
                model: azure/my-gpt-deployment
                api_base: {_azure.Url}/openai/v1
                api_key: az-upstream-secret
            """, "router_settings:\n  num_retries: 0\n");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _openai.DisposeAsync();
        await _azure.DisposeAsync();
    }

    private const string OpenAiResponse = """
        {"id":"resp_abc123","object":"response","created_at":1741476542,"status":"completed","error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-4.1-mini-2025-04-14","output":[{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi!","annotations":[]}]}],"parallel_tool_calls":true,"previous_response_id":null,"store":true,"temperature":1.0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":{"input_tokens":36,"input_tokens_details":{"cached_tokens":0},"output_tokens":87,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":123},"user":null,"metadata":{}}
        """;

    private static string[] OpenAiStream(string model = "gpt-4.1-mini-2025-04-14") =>
    [
        "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_s1\",\"object\":\"response\",\"status\":\"in_progress\",\"model\":\"" + model + "\",\"output\":[],\"usage\":null}}\n\n",
        "event: response.output_item.added\ndata: {\"type\":\"response.output_item.added\",\"sequence_number\":1,\"output_index\":0,\"item\":{\"id\":\"msg_1\",\"type\":\"message\",\"status\":\"in_progress\",\"role\":\"assistant\",\"content\":[]}}\n\n",
        "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":2,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"Hi\"}\n\n",
        "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":3,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\" there\"}\n\n",
        "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":4,\"response\":{\"id\":\"resp_s1\",\"object\":\"response\",\"status\":\"completed\",\"model\":\"" + model + "\",\"output\":[],\"usage\":{\"input_tokens\":20,\"input_tokens_details\":{\"cached_tokens\":5},\"output_tokens\":7,\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":27}}}\n\n",
    ];

    [Fact]
    public async Task OpenAiNonStream_BodyVerbatimWithModelIdAndUsageBilled()
    {
        _openai.RespondJson(OpenAiResponse);
        const string body = """{"model":"gpt","input":"Hi","tools":[{"type":"web_search_preview"}],"previous_response_id":"resp_prev","store":true,"metadata":{"k":"v"}}""";

        using var response = await _gateway.PostJsonAsync("/v1/responses", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = _openai.LastRequest;
        Assert.Equal("/v1/responses", sent.PathAndQuery);
        Assert.Equal(body.Replace("\"model\":\"gpt\"", "\"model\":\"gpt-4.1-mini\"", StringComparison.Ordinal), sent.BodyText);
        Assert.Equal("Bearer sk-upstream-secret", sent.Headers["authorization"]);
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("gpt", answer.GetProperty("model").GetString());
        Assert.Equal("resp_abc123", answer.GetProperty("id").GetString());
        Assert.Equal("Hi!", answer.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
        var requestId = response.Headers.GetValues("x-litellm-call-id").Single();
        var row = (await _gateway.GetAdminAsync($"/spend/logs?request_id={requestId}"))[0];
        Assert.Equal("aresponses", row.GetProperty("call_type").GetString());
        Assert.Equal(36, row.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(87, row.GetProperty("completion_tokens").GetInt32());
        Assert.Equal("gpt", row.GetProperty("model_group").GetString());
    }

    [Fact]
    public async Task OpenAiStream_EventsRelayedWithClientModelAndUsageBilled()
    {
        _openai.RespondStream(OpenAiStream());

        using var response = await _gateway.PostStreamAsync("/v1/responses", """{"model":"gpt","input":"Hi","stream":true}""");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = Sse.Parse(text);
        Assert.Equal(["response.created", "response.output_item.added", "response.output_text.delta", "response.output_text.delta", "response.completed"],
            events.Select(e => e.Name));
        Assert.Equal("gpt", events[0].Json.GetProperty("response").GetProperty("model").GetString());
        Assert.Equal("gpt", events[^1].Json.GetProperty("response").GetProperty("model").GetString());
        Assert.Equal(" there", events[3].Json.GetProperty("delta").GetString());
        Assert.DoesNotContain("gpt-4.1-mini", text, StringComparison.Ordinal);
        Assert.Contains("\"stream\":true", _openai.LastRequest.BodyText, StringComparison.Ordinal);
        var requestId = response.Headers.GetValues("x-litellm-call-id").Single();
        var row = (await _gateway.GetAdminAsync($"/spend/logs?request_id={requestId}"))[0];
        Assert.Equal(20, row.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(7, row.GetProperty("completion_tokens").GetInt32());
        Assert.Equal("success", row.GetProperty("status").GetString());
    }

    [Fact]
    public async Task OpenAiStreamCutBeforeCompleted_EndsWithErrorEvent()
    {
        _openai.RespondStream(OpenAiStream()[..3]);

        using var response = await _gateway.PostStreamAsync("/v1/responses", """{"model":"gpt","input":"Hi","stream":true}""");
        var events = Sse.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal("error", events[^1].Name);
        var error = events[^1].Json;
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Contains("before it was complete", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, error.GetProperty("sequence_number").GetInt32());
    }

    [Fact]
    public async Task OpenAiUpstreamError_SameStatusInOpenAiEnvelopeWithoutKey()
    {
        _openai.RespondJson("""{"error":{"message":"Incorrect API key provided: sk-upstream-secret","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""", 401);

        using var response = await _gateway.PostJsonAsync("/v1/responses", """{"model":"gpt","input":"Hi"}""");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.True(JsonDocument.Parse(text).RootElement.TryGetProperty("error", out _));
        Assert.DoesNotContain("sk-upstream-secret", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AzureDatedVersion_PostsToResponsesPathWithDeploymentAsModel()
    {
        _azure.RespondJson(OpenAiResponse);

        using var response = await _gateway.PostJsonAsync("/v1/responses", """{"model":"az","input":"Hi"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = _azure.LastRequest;
        Assert.Equal("/openai/responses?api-version=2025-03-01-preview", sent.PathAndQuery);
        Assert.Equal("""{"model":"my-gpt-deployment","input":"Hi"}""", sent.BodyText);
        Assert.Equal("az-upstream-secret", sent.Headers["api-key"]);
        Assert.Equal("az", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task AzureV1Base_PostsToV1ResponsesPath()
    {
        _azure.RespondJson(OpenAiResponse);

        using var response = await _gateway.PostJsonAsync("/v1/responses", """{"model":"az1","input":"Hi"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/openai/v1/responses", _azure.LastRequest.PathAndQuery);
    }

    [Fact]
    public async Task KeyWithRpmOne_SecondResponsesCallIs429()
    {
        _openai.RespondJson(OpenAiResponse);
        var key = await _gateway.NewKeyAsync("""{"rpm_limit":1}""");
        using var client = new HttpClient { BaseAddress = _gateway.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);

        using var first = await _gateway.PostJsonAsync("/v1/responses", """{"model":"gpt","input":"Hi"}""", client);
        using var second = await _gateway.PostJsonAsync("/v1/responses", """{"model":"gpt","input":"Hi"}""", client);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.True(JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement.TryGetProperty("error", out _));
        Assert.Single(_openai.Requests);
    }
}
