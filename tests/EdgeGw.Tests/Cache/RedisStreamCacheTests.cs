using System.Net;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Cache;

/// <summary>A stream stored by one replica in the shared Redis cache is replayed as a stream by another.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisStreamCacheTests(RedisServer redis)
{
    private static readonly string[] TextStream =
    [
        "data: {\"id\":\"chatcmpl-r\",\"object\":\"chat.completion.chunk\",\"created\":1764000000,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n",
        "data: {\"id\":\"chatcmpl-r\",\"object\":\"chat.completion.chunk\",\"created\":1764000000,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"shared \"},\"finish_reason\":null}]}\n\n",
        "data: {\"id\":\"chatcmpl-r\",\"object\":\"chat.completion.chunk\",\"created\":1764000000,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"stream\"},\"finish_reason\":null}]}\n\n",
        "data: {\"id\":\"chatcmpl-r\",\"object\":\"chat.completion.chunk\",\"created\":1764000000,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
        "data: {\"id\":\"chatcmpl-r\",\"object\":\"chat.completion.chunk\",\"created\":1764000000,\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":2,\"total_tokens\":14}}\n\n",
        "data: [DONE]\n\n",
    ];

    private const string Request = """{"model":"gpt","stream":true,"messages":[{"role":"user","content":"stream from a replica"}]}""";

    private Task<TestGateway> StartAsync(FakeUpstream upstream) =>
        TestGateway.StartAsync(OpenAiDeploymentYaml.Of("gpt", upstream), $$"""
            litellm_settings:
              cache: true
              cache_params: { type: redis, host: 127.0.0.1, port: {{redis.Port}}, namespace: litellm.caching }
            """);

    private static async Task<(string Body, bool Hit)> StreamAsync(TestGateway gateway)
    {
        using var response = await gateway.PostStreamAsync("/v1/chat/completions", Request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadAsStringAsync(), response.Headers.Contains("x-litellm-cache-key"));
    }

    private long CacheEntries() =>
        ((StackExchange.Redis.RedisResult[])redis.Database.Execute("KEYS", "litellm.caching:*")!).Length;

    [Fact]
    public async Task StreamStoredByOneReplica_ReplayedAsStreamByAnother()
    {
        redis.Flush();
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondStream(TextStream);
        await using var first = await StartAsync(upstream);
        await using var second = await StartAsync(upstream);

        var (miss, _) = await StreamAsync(first);
        for (var i = 0; i < 100 && CacheEntries() == 0; i++) // stores are fire-and-forget: at most 2 s
            await Task.Delay(20);
        var (hit, wasHit) = await StreamAsync(second);

        Assert.Single(upstream.Requests);
        Assert.True(wasHit);
        Assert.Equal("shared stream", Sse.Text(hit));
        Assert.Equal(StreamShape.Of(miss), StreamShape.Of(hit));
    }
}
