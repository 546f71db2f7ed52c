using System.Globalization;
using System.Net;
using EdgeGw.Tests.Infrastructure;
using static EdgeGw.Tests.Routing.RouterWire;

namespace EdgeGw.Tests.Api;

/// <summary>
/// The headers LiteLLM's proxy documents on every answer: timing, version, and the provider's own
/// headers (as <c>llm_provider-*</c>, and its <c>x-ratelimit-*</c> where the gateway has no limit of its own).
/// </summary>
public sealed class ResponseHeadersTests : IAsyncLifetime
{
    private const string Completion = """
        {"id":"chatcmpl-h1","object":"chat.completion","created":1764000000,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}
        """;

    private static readonly Dictionary<string, string> OpenAiHeaders = new()
    {
        ["openai-processing-ms"] = "182",
        ["x-request-id"] = "req_7f3c",
        ["x-ratelimit-limit-requests"] = "10000",
        ["x-ratelimit-remaining-requests"] = "9999",
        ["x-ratelimit-limit-tokens"] = "30000000",
        ["x-ratelimit-remaining-tokens"] = "29999990",
        ["x-ratelimit-reset-requests"] = "6ms",
        ["x-ratelimit-reset-tokens"] = "0s",
    };

    private FakeUpstream _upstream = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync($"""
            - model_name: my-gpt
              litellm_params:
                model: openai/gpt-4o-2024-08-06
                api_base: {_upstream.Url}/v1
                api_key: sk-upstream
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private static void AssertTimingAndVersion(HttpResponseMessage response)
    {
        var total = double.Parse(Header(response, "x-litellm-response-duration-ms"), CultureInfo.InvariantCulture);
        var overhead = double.Parse(Header(response, "x-litellm-overhead-duration-ms"), CultureInfo.InvariantCulture);
        Assert.InRange(overhead, 0, total);
        Assert.Matches(@"^\d+\.\d+\.\d+", Header(response, "x-litellm-version"));
    }

    private static void AssertProviderHeaders(HttpResponseMessage response)
    {
        Assert.Equal("182", Header(response, "llm_provider-openai-processing-ms"));
        Assert.Equal("req_7f3c", Header(response, "llm_provider-x-request-id"));
        Assert.Equal("9999", Header(response, "llm_provider-x-ratelimit-remaining-requests"));
    }

    [Fact]
    public async Task ProviderRemainingQuota_IsLiteLlmsRemainingRequestsAndTokensGauges()
    {
        _upstream.RespondJson(Completion, headers: OpenAiHeaders);
        using (var response = await _gateway.PostJsonAsync("/v1/chat/completions", """{"model":"my-gpt","messages":[{"role":"user","content":"hi"}]}"""))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var metrics = await _gateway.Client.GetStringAsync("/metrics");

        const string labels = @"\{model_group=""my-gpt"",api_provider=""openai"",api_base=""[^""]+/v1"",litellm_model_name=""gpt-4o-2024-08-06"",hashed_api_key=""[0-9a-f]+"",api_key_alias=""None""\}";
        Assert.Matches("(?m)^litellm_remaining_requests_metric" + labels + " 9999\\.0$", metrics);
        Assert.Matches("(?m)^litellm_remaining_tokens_metric" + labels + " 29999990\\.0$", metrics);
    }

    [Fact]
    public async Task NonStreamingAnswer_CarriesTimingVersionAndProviderHeaders()
    {
        _upstream.RespondJson(Completion, headers: OpenAiHeaders);

        using var response = await _gateway.PostJsonAsync("/v1/chat/completions", """{"model":"my-gpt","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertTimingAndVersion(response);
        AssertProviderHeaders(response);
        Assert.Equal("9999", Header(response, "x-ratelimit-remaining-requests"));
        Assert.Equal("30000000", Header(response, "x-ratelimit-limit-tokens"));
        Assert.Equal("6ms", Header(response, "x-ratelimit-reset-requests"));
    }

    [Fact]
    public async Task StreamingAnswer_CarriesTimingVersionAndProviderHeaders()
    {
        _upstream.Handle(async (c, _) =>
        {
            c.Response.ContentType = "text/event-stream; charset=utf-8";
            foreach (var (k, v) in OpenAiHeaders)
                c.Response.Headers[k] = v;
            await c.Response.WriteAsync("""data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"hi"},"finish_reason":null}]}""" + "\n\n");
            await c.Response.WriteAsync("""data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""" + "\n\n");
            await c.Response.WriteAsync("data: [DONE]\n\n");
        });

        using var response = await _gateway.PostStreamAsync("/v1/chat/completions",
            """{"model":"my-gpt","stream":true,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertTimingAndVersion(response);
        AssertProviderHeaders(response);
        Assert.Equal("29999990", Header(response, "x-ratelimit-remaining-tokens"));
        Assert.Equal("hi", Sse.Text(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task KeyWithRpmLimit_OwnRequestLimitHeadersWinOverProvidersOnes()
    {
        _upstream.RespondJson(Completion, headers: OpenAiHeaders);
        var key = await _gateway.NewKeyAsync("""{"rpm_limit":100}""");

        using var response = await _gateway.ChatAsync(key, """{"model":"my-gpt","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("100", Header(response, "x-ratelimit-limit-requests"));
        Assert.Equal("10000", Header(response, "llm_provider-x-ratelimit-limit-requests"));
        Assert.Equal("30000000", Header(response, "x-ratelimit-limit-tokens"));
    }

    [Fact]
    public async Task GatewayError_StillCarriesTimingAndVersion()
    {
        _upstream.RespondJson("""{"error":{"message":"bad","type":"invalid_request_error","param":null,"code":null}}""", status: 400);

        using var response = await _gateway.PostJsonAsync("/v1/chat/completions", """{"model":"my-gpt","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertTimingAndVersion(response);
    }
}
