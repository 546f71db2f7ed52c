using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Callbacks;

/// <summary>The prompt and answer logged for the Responses API and legacy completions (an openai/ deployment: passed through).</summary>
public sealed class ContentTestsResponses : IAsyncLifetime
{
    private const string ResponseObject = """
        {"id":"resp_1","object":"response","created_at":1,"status":"completed","model":"gpt-4o","output":[{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"the answer is 42","annotations":[]}]}],"usage":{"input_tokens":7,"output_tokens":3,"total_tokens":10}}
        """;

    private WebhookGateway _hook = null!;

    public async Task InitializeAsync() => _hook = await WebhookGateway.StartAsync();

    public async Task DisposeAsync() => await _hook.DisposeAsync();

    [Fact]
    public async Task NonStreamedResponses_MessagesAreTheInputAndResponseIsTheResponseObject()
    {
        _hook.Upstream.RespondJson(ResponseObject);

        using var response = await _hook.Gateway.PostStreamAsync("/v1/responses", """{"model":"cheap","input":"What is six times seven?"}""");
        await response.Content.ReadAsStringAsync();
        var payload = await _hook.PayloadAsync(WebhookGateway.CallId(response));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("What is six times seven?", payload.GetProperty("messages").GetString());
        Assert.Equal("the answer is 42", payload.GetProperty("response").GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task StreamedResponses_ResponseIsTheCompletedEventsResponseObject()
    {
        _hook.Upstream.RespondStream(
        [
            "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"in_progress\",\"output\":[]}}\n\n",
            "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":1,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"the answer is 42\"}\n\n",
            $"event: response.completed\ndata: {{\"type\":\"response.completed\",\"sequence_number\":2,\"response\":{ResponseObject.Trim()}}}\n\n",
        ]);

        using var response = await _hook.Gateway.PostStreamAsync("/v1/responses",
            """{"model":"cheap","stream":true,"input":[{"role":"user","content":"What is six times seven?"}]}""");
        await response.Content.ReadAsStringAsync();
        var payload = await _hook.PayloadAsync(WebhookGateway.CallId(response));

        Assert.Equal("What is six times seven?", payload.GetProperty("messages")[0].GetProperty("content").GetString());
        var answer = payload.GetProperty("response");
        Assert.Equal("completed", answer.GetProperty("status").GetString());
        Assert.Equal("the answer is 42", answer.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task LegacyCompletion_MessagesAreThePrompt()
    {
        _hook.Upstream.RespondJson("""
            {"id":"cmpl-1","object":"text_completion","created":1,"model":"gpt-4o","choices":[{"index":0,"text":"42","finish_reason":"stop","logprobs":null}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}
            """);

        using var response = await _hook.Gateway.PostStreamAsync("/v1/completions", """{"model":"cheap","prompt":"six times seven is"}""");
        var body = await response.Content.ReadAsStringAsync();
        var payload = await _hook.PayloadAsync(WebhookGateway.CallId(response));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("six times seven is", payload.GetProperty("messages").GetString());
        Assert.Equal("text_completion", payload.GetProperty("response").GetProperty("object").GetString());
        Assert.Contains("42", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamedLegacyCompletion_ResponseIsTheFoldedTextCompletion()
    {
        _hook.Upstream.RespondStream(
        [
            "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"text\":\"4\",\"finish_reason\":null,\"logprobs\":null}]}\n\n",
            "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"text\":\"2\",\"finish_reason\":\"stop\",\"logprobs\":null}]}\n\n",
            "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}\n\n",
            "data: [DONE]\n\n",
        ]);

        using var response = await _hook.Gateway.PostStreamAsync("/v1/completions", """{"model":"cheap","prompt":"six times seven is","stream":true}""");
        await response.Content.ReadAsStringAsync();
        var payload = await _hook.PayloadAsync(WebhookGateway.CallId(response));

        var answer = payload.GetProperty("response");
        Assert.Equal("text_completion", answer.GetProperty("object").GetString());
        Assert.Equal("42", answer.GetProperty("choices")[0].GetProperty("text").GetString());
    }
}
