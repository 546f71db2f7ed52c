using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Api;

public sealed class OpenAiPassThroughTests : IAsyncLifetime
{
    private FakeUpstream _upstream = null!;
    private TestGateway _gateway = null!;

    private const string Completion = """
        {"id":"chatcmpl-1","object":"chat.completion","created":1741569952,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"Hi \"there\" \\ \u00e9 😀","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,"prompt_tokens_details":{"cached_tokens":3},"completion_tokens_details":{"reasoning_tokens":0}}}
        """;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync($"""
            - model_name: my-gpt
              litellm_params:
                model: openai/gpt-4o-2024-08-06
                api_base: {_upstream.Url}/v1
                api_key: sk-upstream-secret
                extra_headers:
                  OpenAI-Organization: org-123
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task NonStreamingRequest_ForwardsWithUpstreamModelAndProviderKey()
    {
        _upstream.RespondJson(Completion);

        using var response = await _gateway.PostJsonAsync("/v1/chat/completions",
            """{"model":"my-gpt","messages":[{"role":"user","content":"hello"}],"temperature":0.2,"custom_field":{"a":[1,2]}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = _upstream.LastRequest;
        Assert.Equal("/v1/chat/completions", sent.PathAndQuery);
        Assert.Equal("Bearer sk-upstream-secret", sent.Headers["authorization"]);
        Assert.Equal("org-123", sent.Headers["openai-organization"]);
        using var body = sent.Json();
        Assert.Equal("gpt-4o-2024-08-06", body.RootElement.GetProperty("model").GetString());
        Assert.Equal(0.2, body.RootElement.GetProperty("temperature").GetDouble());
        Assert.Equal(2, body.RootElement.GetProperty("custom_field").GetProperty("a")[1].GetInt32());
        Assert.False(body.RootElement.TryGetProperty("stream_options", out _));
    }

    [Fact]
    public async Task NonStreamingResponse_CarriesClientModelNameAndUpstreamContent()
    {
        _upstream.RespondJson(Completion);

        using var response = await _gateway.PostJsonAsync("/v1/chat/completions",
            """{"model":"my-gpt","messages":[{"role":"user","content":"hello"}]}""");

        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("my-gpt", json.GetProperty("model").GetString());
        Assert.Equal("Hi \"there\" \\ é 😀", json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(29, json.GetProperty("usage").GetProperty("total_tokens").GetInt32());
        Assert.StartsWith("application/json", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientKey_NeverReachesUpstream()
    {
        _upstream.RespondJson(Completion);

        using var response = await _gateway.PostJsonAsync("/v1/chat/completions",
            """{"model":"my-gpt","messages":[{"role":"user","content":"hello"}]}""");

        var headers = string.Join("\n", _upstream.LastRequest.Headers.Select(h => h.Value));
        Assert.DoesNotContain(TestGateway.MasterKey, headers, StringComparison.Ordinal);
    }
}
