using System.Net;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Cache;

/// <summary>The Redis response cache with a real redis-server: shared by two gateways, keys under the namespace, Redis killed mid-run, the /cache routes.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisResponseCacheTests(RedisServer redis)
{
    private const string Completion = """
        {"id":"chatcmpl-r1","object":"chat.completion","created":1764000000,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"shared words"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14}}
        """;
    private const string Chat = """{"model":"gpt","messages":[{"role":"user","content":"hello from a replica"}]}""";

    private Task<TestGateway> StartAsync(FakeUpstream upstream, string extraParams = "") =>
        TestGateway.StartAsync(OpenAiDeploymentYaml.Of("gpt", upstream), $$"""
            litellm_settings:
              cache: true
              cache_params: { type: redis, host: 127.0.0.1, port: {{redis.Port}}, namespace: litellm.caching{{extraParams}} }
            """);

    private static async Task<HttpResponseMessage> ChatAsync(TestGateway gateway, string body = Chat)
    {
        var response = await gateway.PostJsonAsync("/v1/chat/completions", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return response;
    }

    private static string? CacheKey(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-litellm-cache-key", out var values) ? values.Single() : null;


    /// <summary>Stores are fire-and-forget: waits (at most 2 s) until an entry is in Redis.</summary>
    private async Task WaitForEntryAsync()
    {
        for (var i = 0; i < 100 && CacheEntries() == 0; i++)
            await Task.Delay(20);
    }

    private long CacheEntries() =>
        ((StackExchange.Redis.RedisResult[])redis.Database.Execute("KEYS", "litellm.caching:*")!).Length;

    [Fact]
    public async Task TwoGateways_ShareOneRedisCache()
    {
        redis.Flush();
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(Completion);
        await using var first = await StartAsync(upstream);
        await using var second = await StartAsync(upstream);

        var miss = await ChatAsync(first);
        await WaitForEntryAsync();
        var hit = await ChatAsync(second);

        Assert.Single(upstream.Requests);
        Assert.Equal(await miss.Content.ReadAsStringAsync(), await hit.Content.ReadAsStringAsync());
        Assert.Matches("^litellm.caching:[0-9a-f]{64}$", CacheKey(hit));
        Assert.Equal(1, CacheEntries());
    }

    [Fact]
    public async Task ConfigTtl_SetOnTheRedisKey()
    {
        redis.Flush();
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(Completion);
        await using var gateway = await StartAsync(upstream, ", ttl: 600");

        await ChatAsync(gateway);
        await WaitForEntryAsync();
        var key = (string)((StackExchange.Redis.RedisResult[])redis.Database.Execute("KEYS", "litellm.caching:*")!)[0]!;

        Assert.InRange((long)redis.Database.Execute("TTL", key), 590, 600);
    }

    [Fact]
    public async Task RedisKilledMidRun_RequestsStillAnsweredUpstream()
    {
        redis.Flush();
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(Completion);
        await using var gateway = await StartAsync(upstream);
        await ChatAsync(gateway);
        try
        {
            redis.Shutdown();
            for (var i = 0; i < 3; i++)
                Assert.Null(CacheKey(await ChatAsync(gateway)));
            Assert.Equal(4, upstream.Requests.Count);
            Assert.Contains("edgegw_cache_redis_errors_total", await gateway.Client.GetStringAsync("/metrics"), StringComparison.Ordinal);
        }
        finally
        {
            redis.Restart();
        }
    }

    [Fact]
    public async Task CacheDelete_RemovesTheKeyFromTheHitHeader()
    {
        redis.Flush();
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(Completion);
        await using var gateway = await StartAsync(upstream);
        await ChatAsync(gateway);
        await WaitForEntryAsync();
        var key = CacheKey(await ChatAsync(gateway))!;

        var deleted = await gateway.PostAdminAsync("/cache/delete", $$"""{"keys":["{{key}}"]}""");
        await ChatAsync(gateway);

        Assert.Equal("success", deleted.GetProperty("status").GetString());
        Assert.Equal(2, upstream.Requests.Count);
    }

    [Fact]
    public async Task CacheFlushAll_DropsAnswersButNotOtherKeys()
    {
        redis.Flush();
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(Completion);
        await using var gateway = await StartAsync(upstream);
        redis.Database.StringSet("edgegw:{edgegw}:key:" + new string('a', 64), "1");
        await ChatAsync(gateway);
        await WaitForEntryAsync();

        var flushed = await gateway.PostAdminAsync("/cache/flushall", "{}");

        Assert.Equal("success", flushed.GetProperty("status").GetString());
        Assert.Equal(0, CacheEntries());
        Assert.True(redis.Database.KeyExists("edgegw:{edgegw}:key:" + new string('a', 64)));
    }

    [Fact]
    public async Task CachePing_HealthyWithItsType()
    {
        redis.Flush();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);

        var ping = await gateway.GetAdminAsync("/cache/ping");

        Assert.Equal(("healthy", "redis"), (ping.GetProperty("status").GetString(), ping.GetProperty("cache_type").GetString()));
    }

    [Fact]
    public async Task CacheRoutesWithoutACache_Answer503()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(OpenAiDeploymentYaml.Of("gpt", upstream));

        var error = (await gateway.GetAdminAsync("/cache/ping", HttpStatusCode.ServiceUnavailable)).GetProperty("error");

        Assert.Contains("Cache not initialized", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
