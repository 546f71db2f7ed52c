using System.Net;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Callbacks;

/// <summary>An answer served from the response cache is logged like one from the provider.</summary>
public sealed class ContentTestsCacheHit
{
    [Fact]
    public async Task CacheHit_PayloadHasTheCachedAnswerAndThePrompt()
    {
        await using var hook = await WebhookGateway.StartAsync("  cache: true\n  cache_params:\n    type: local");
        hook.Upstream.RespondJson("""
            {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"cached words"},"finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}
            """);
        using var miss = await hook.Gateway.ChatAsync(TestGateway.MasterKey);
        Assert.Equal(HttpStatusCode.OK, miss.StatusCode);
        await hook.PayloadAsync(WebhookGateway.CallId(miss));

        using var hit = await hook.Gateway.ChatAsync(TestGateway.MasterKey);
        var payload = await hook.PayloadAsync(WebhookGateway.CallId(hit));

        Assert.Single(hook.Upstream.Requests);
        Assert.True(payload.GetProperty("cache_hit").GetBoolean());
        Assert.Equal("hi", payload.GetProperty("messages")[0].GetProperty("content").GetString());
        Assert.Equal("cached words", payload.GetProperty("response").GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }
}
