using System.Net;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Cache;

/// <summary>Cache hits and the caller's rpm held in one Redis by two gateways: a hit on either replica counts against the key's shared rpm.</summary>
[Collection(RedisCollection.Name)]
public sealed class SharedRpmCacheHitTests(RedisServer redis)
{
    private const string Key = "sk-cache-hit-rpm-test-0001";
    private const string Completion = """
        {"id":"chatcmpl-h1","object":"chat.completion","created":1764000000,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"counted words"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14}}
        """;
    private const string Chat = """{"model":"gpt","messages":[{"role":"user","content":"count me"}]}""";

    // A patient redis_timeout: a loaded test machine must not fall back to local limits.
    private Task<TestGateway> StartAsync(FakeUpstream upstream) =>
        TestGateway.StartAsync(OpenAiDeploymentYaml.Of("gpt", upstream), $$"""
            router_settings:
              redis_url: "{{redis.Url}}"
              redis_timeout: 5
            litellm_settings:
              cache: true
              cache_params: { type: redis, host: 127.0.0.1, port: {{redis.Port}}, namespace: litellm.caching }
            """);

    /// <summary>Stores are fire-and-forget: waits (at most 2 s) until the entry is in Redis.</summary>
    private async Task WaitForEntryAsync()
    {
        for (var i = 0; i < 100 && ((StackExchange.Redis.RedisResult[])redis.Database.Execute("KEYS", "litellm.caching:*")!).Length == 0; i++)
            await Task.Delay(20);
    }

    [Fact]
    public async Task HitsAlternatingBetweenReplicas_CountAgainstTheKeysSharedRpm()
    {
        redis.Flush();
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(Completion);
        await using var first = await StartAsync(upstream);
        await using var second = await StartAsync(upstream);
        foreach (var gateway in new[] { first, second })
            await gateway.NewKeyAsync($$"""{"key":"{{Key}}","rpm_limit":3}""");

        var statuses = new List<HttpStatusCode>();
        var hits = 0;
        for (var i = 0; i < 6; i++)
        {
            using var response = await (i % 2 == 0 ? first : second).ChatAsync(Key, Chat);
            statuses.Add(response.StatusCode);
            if (response.Headers.Contains("x-litellm-cache-key"))
                hits++;
            if (i == 0)
                await WaitForEntryAsync();
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK,
            HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(2, hits);
        Assert.Single(upstream.Requests);
    }
}
