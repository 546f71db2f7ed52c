using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Providers.Azure;

/// <summary>What the client sees of Azure's answers: bodies, streams with filter annotations, errors.</summary>
public sealed class AzureResponseTests : IAsyncLifetime
{
    private AzureGateway _azure = null!;

    public async Task InitializeAsync() => _azure = await AzureGateway.StartAsync("2024-10-21");

    public async Task DisposeAsync() => await _azure.DisposeAsync();

    [Fact]
    public async Task NonStreamingResponse_CarriesClientModelNameAndAzureFields()
    {
        _azure.Upstream.RespondJson(AzureWire.Completion);

        using var response = await _azure.ChatAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(AzureGateway.Group, json.GetProperty("model").GetString());
        Assert.Equal("Grüße aus 東京 🌸", json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(23, json.GetProperty("usage").GetProperty("total_tokens").GetInt32());
        Assert.False(json.GetProperty("prompt_filter_results")[0].GetProperty("content_filter_results").GetProperty("jailbreak").GetProperty("detected").GetBoolean());
    }

    [Fact]
    public async Task Stream_ClientGetsExactTextAndEveryChunkCarriesClientModel()
    {
        _azure.Upstream.RespondStream([AzureWire.Stream()]);

        using var response = await _azure.Gateway.PostStreamAsync("/v1/chat/completions",
            """{"model":"my-azure","messages":[{"role":"user","content":"hi"}],"stream":true}""");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(AzureWire.StreamText, Sse.Text(body));
        var chunks = Sse.Chunks(body);
        Assert.All(chunks, c => Assert.Equal(AzureGateway.Group, c.GetProperty("model").GetString()));
        Assert.Equal("[DONE]", Sse.Parse(body)[^1].Data);
    }

    [Fact]
    public async Task Stream_PromptFilterChunkIsForwardedFirstNotTakenForUsage()
    {
        _azure.Upstream.RespondStream([AzureWire.Stream()]);

        using var response = await _azure.Gateway.PostStreamAsync("/v1/chat/completions",
            """{"model":"my-azure","messages":[{"role":"user","content":"hi"}],"stream":true}""");
        var chunks = Sse.Chunks(await response.Content.ReadAsStringAsync());

        var first = chunks[0];
        Assert.Equal(0, first.GetProperty("choices").GetArrayLength());
        Assert.Equal(0, first.GetProperty("prompt_filter_results")[0].GetProperty("prompt_index").GetInt32());
        Assert.Equal("safe", chunks[2].GetProperty("choices")[0].GetProperty("content_filter_results").GetProperty("hate").GetProperty("severity").GetString());
        // The usage chunk was asked for by the gateway, so the client does not get it.
        Assert.DoesNotContain(chunks, c => c.TryGetProperty("usage", out _));
        Assert.Equal(6, chunks.Count);
    }

    [Fact]
    public async Task StreamWithClientUsage_ForwardsUsageChunkWithClientModel()
    {
        _azure.Upstream.RespondStream([AzureWire.Stream()]);

        using var response = await _azure.Gateway.PostStreamAsync("/v1/chat/completions",
            """{"model":"my-azure","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}""");
        var chunks = Sse.Chunks(await response.Content.ReadAsStringAsync());

        var last = chunks[^1];
        Assert.Equal(23, last.GetProperty("usage").GetProperty("total_tokens").GetInt32());
        Assert.Equal(4, last.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
        Assert.Equal(AzureGateway.Group, last.GetProperty("model").GetString());
    }

    [Fact]
    public async Task StreamFilteredMidway_ForwardsContentFilterFinishReason()
    {
        _azure.Upstream.RespondStream([AzureWire.Stream(finish: "content_filter")]);

        using var response = await _azure.Gateway.PostStreamAsync("/v1/chat/completions",
            """{"model":"my-azure","messages":[{"role":"user","content":"hi"}],"stream":true}""");
        var chunks = Sse.Chunks(await response.Content.ReadAsStringAsync());

        Assert.Equal("content_filter", chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task ContentFilterError_IsOpenAiEnvelopeWithContentFilterCode()
    {
        _azure.Upstream.RespondJson(AzureWire.ContentFilterError, 400);

        using var response = await _azure.ChatAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("content_filter", error.GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("prompt", error.GetProperty("param").GetString());
        Assert.StartsWith("litellm.ContentPolicyViolationError: The response was filtered", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ContentFilterNamedOnlyByInnerError_StillGetsContentFilterCode()
    {
        _azure.Upstream.RespondJson(AzureWire.InnerOnlyContentFilterError, 400);

        using var response = await _azure.ChatAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("content_filter", error.GetProperty("code").GetString());
        Assert.Equal("messages", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task StreamRequestRejectedByFilter_IsErrorStatusNotStream()
    {
        _azure.Upstream.RespondJson(AzureWire.ContentFilterError, 400);

        using var response = await _azure.Gateway.PostStreamAsync("/v1/chat/completions",
            """{"model":"my-azure","messages":[{"role":"user","content":"hi"}],"stream":true}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("content_filter", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Unauthorized_Is401AuthenticationErrorWithoutKey()
    {
        _azure.Upstream.RespondJson(AzureWire.Unauthorized, 401);

        using var response = await _azure.ChatAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
        Assert.Equal("authentication_error", error.GetProperty("type").GetString());
        Assert.Equal("401", error.GetProperty("code").GetString());
        Assert.StartsWith("Access denied", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(AzureWire.Key, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateLimited_Is429WithRetryAfter()
    {
        _azure.Upstream.RespondJson(AzureWire.RateLimited, 429, new Dictionary<string, string>
        {
            ["retry-after"] = "17",
            ["retry-after-ms"] = "17000",
            ["x-ms-region"] = "Sweden Central",
        });

        using var response = await _azure.ChatAsync();

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(17), response.Headers.RetryAfter?.Delta);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("rate_limit_error", error.GetProperty("type").GetString());
        Assert.Equal("429", error.GetProperty("code").GetString());
    }
}
