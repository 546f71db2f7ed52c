using System.Net;
using System.Text.Json;
using EdgeGw.Observability.Callbacks;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Callbacks;

/// <summary>The prompt and answer a generic_api payload carries (<c>messages</c> / <c>response</c>).</summary>
public sealed class ContentTests : IAsyncLifetime
{
    private const string Answer = """
        {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"the answer is 42"},"finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}
        """;

    private static readonly string[] Stream =
    [
        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"the answer \"},\"finish_reason\":null}]}\n\n",
        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"is 42\"},\"finish_reason\":\"stop\"}]}\n\n",
        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}\n\n",
        "data: [DONE]\n\n",
    ];

    private WebhookGateway _hook = null!;

    public async Task InitializeAsync() => _hook = await WebhookGateway.StartAsync();

    public async Task DisposeAsync() => await _hook.DisposeAsync();

    [Fact]
    public async Task NonStreamedChat_MessagesAreWhatWasSentAndResponseIsTheAnswer()
    {
        _hook.Upstream.RespondJson(Answer);
        const string messages = """[{"role":"system","content":"Be brief."},{"role":"user","content":"What is six times seven?"}]""";

        using var response = await _hook.Gateway.ChatAsync(TestGateway.MasterKey, $$"""{"model":"cheap","messages":{{messages}}}""");
        var body = await response.Content.ReadAsStringAsync();
        var payload = await _hook.PayloadAsync(WebhookGateway.CallId(response));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(messages, payload.GetProperty("messages").GetRawText());
        Assert.Equal(JsonDocument.Parse(body).RootElement.GetRawText(), payload.GetProperty("response").GetRawText());
        Assert.Equal("the answer is 42", payload.GetProperty("response").GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task StreamedChat_ResponseIsTheAssembledAnswerLoggedOnce()
    {
        _hook.Upstream.RespondStream(Stream);

        using var response = await _hook.Gateway.PostStreamAsync("/v1/chat/completions",
            """{"model":"cheap","stream":true,"messages":[{"role":"user","content":"What is six times seven?"}]}""");
        await response.Content.ReadAsStringAsync();
        var id = WebhookGateway.CallId(response);
        var payload = await _hook.PayloadAsync(id);

        var answer = payload.GetProperty("response");
        Assert.Equal("chat.completion", answer.GetProperty("object").GetString());
        Assert.Equal("the answer is 42", answer.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", answer.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal("What is six times seven?", payload.GetProperty("messages")[0].GetProperty("content").GetString());
        Assert.Equal(1, _hook.Sink.Requests.Sum(r => JsonDocument.Parse(r.Body).RootElement.EnumerateArray().Count(p => p.GetProperty("id").GetString() == id)));
    }

    [Fact]
    public async Task StreamedAnthropicMessages_AnswerAssembledInAnthropicFormatAndSystemFirst()
    {
        _hook.Upstream.RespondStream(Stream);

        using var response = await _hook.Gateway.PostStreamAsync("/v1/messages",
            """{"model":"cheap","max_tokens":64,"stream":true,"system":"Be brief.","messages":[{"role":"user","content":"What is six times seven?"}]}""");
        var sse = await response.Content.ReadAsStringAsync();
        var payload = await _hook.PayloadAsync(WebhookGateway.CallId(response));

        Assert.Contains("content_block_delta", sse, StringComparison.Ordinal);
        var messages = payload.GetProperty("messages");
        Assert.Equal("""{"role":"system","content":"Be brief."}""", messages[0].GetRawText());
        Assert.Equal("What is six times seven?", messages[1].GetProperty("content").GetString());
        var answer = payload.GetProperty("response");
        Assert.Equal("message", answer.GetProperty("type").GetString());
        Assert.Equal("the answer is 42", answer.GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task OversizeAnswer_ResponseIsItsHeadAndATruncationMarker()
    {
        var text = new string('x', BoundedJson.MaxBytes + 1000);
        _hook.Upstream.RespondJson(Answer.Replace("the answer is 42", text, StringComparison.Ordinal));

        using var response = await _hook.Gateway.ChatAsync(TestGateway.MasterKey);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var payload = await _hook.PayloadAsync(WebhookGateway.CallId(response));

        var logged = payload.GetProperty("response").GetString()!;
        Assert.StartsWith("""{"id":"chatcmpl-1","object":"chat.completion",""", logged, StringComparison.Ordinal);
        Assert.Contains(BoundedJson.TruncatedMarker, logged, StringComparison.Ordinal);
        Assert.InRange(logged.Length, BoundedJson.MaxBytes, BoundedJson.MaxBytes + 200);
    }

    [Fact]
    public async Task SecretsInTheRequestBody_NeverInAnyPayload()
    {
        _hook.Upstream.RespondJson(Answer);
        const string apiKey = "sk-client-body-key-0123456789abcdef";
        const string awsSecret = "aws-secret-wJalrXUtnFEMI-K7MDENG";

        using var response = await _hook.Gateway.ChatAsync(TestGateway.MasterKey, $$"""
            {"model":"cheap","api_key":"{{apiKey}}","aws_secret_access_key":"{{awsSecret}}","messages":[{"role":"user","content":"hi"}]}
            """);
        var payload = await _hook.PayloadAsync(WebhookGateway.CallId(response));

        Assert.Equal("hi", payload.GetProperty("messages")[0].GetProperty("content").GetString());
        Assert.DoesNotContain(apiKey, _hook.AllPayloadText, StringComparison.Ordinal);
        Assert.DoesNotContain(awsSecret, _hook.AllPayloadText, StringComparison.Ordinal);
        Assert.DoesNotContain(TestGateway.MasterKey, _hook.AllPayloadText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embeddings_MessagesAreTheInput()
    {
        _hook.Upstream.RespondJson("""{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2]}],"model":"e","usage":{"prompt_tokens":2,"total_tokens":2}}""");

        using var response = await _hook.Gateway.PostJsonAsync("/v1/embeddings", """{"model":"cheap","input":["first text","second text"]}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var payload = await _hook.PayloadAsync(WebhookGateway.CallId(response));

        Assert.Equal("""["first text","second text"]""", payload.GetProperty("messages").GetRawText());
        Assert.Equal(0.2, payload.GetProperty("response").GetProperty("data")[0].GetProperty("embedding")[1].GetDouble());
    }

    [Fact]
    public async Task FailedChat_PromptLoggedAndNoResponse()
    {
        _hook.Upstream.RespondJson("""{"error":{"message":"bad things","type":"invalid_request_error"}}""", 400);

        using var response = await _hook.Gateway.ChatAsync(TestGateway.MasterKey);
        var payload = await _hook.PayloadAsync(WebhookGateway.CallId(response));

        Assert.Equal("failure", payload.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Array, payload.GetProperty("messages").ValueKind);
        Assert.Equal(JsonValueKind.Null, payload.GetProperty("response").ValueKind);
    }
}
