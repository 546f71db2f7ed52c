using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Cache;

/// <summary>Per-input embedding entries in a shared Redis cache: one replica's inputs serve another's list.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisEmbeddingInputCacheTests(RedisServer redis)
{
    private Task<TestGateway> StartAsync(FakeUpstream upstream) =>
        TestGateway.StartAsync(OpenAiDeploymentYaml.Of("gpt", upstream), $$"""
            litellm_settings:
              cache: true
              cache_params: { type: redis, host: 127.0.0.1, port: {{redis.Port}}, namespace: litellm.caching }
            """);

    private long Entries() => ((StackExchange.Redis.RedisResult[])redis.Database.Execute("KEYS", "litellm.caching:*")!).Length;

    /// <summary>Stores are fire-and-forget: waits (at most 2 s) for <paramref name="count"/> entries.</summary>
    private async Task WaitForEntriesAsync(int count)
    {
        for (var i = 0; i < 100 && Entries() < count; i++)
            await Task.Delay(20);
    }

    [Fact]
    public async Task InputsStoredByOneReplica_AnotherSendsOnlyTheRest()
    {
        redis.Flush();
        await using var upstream = await FakeUpstream.StartAsync();
        EmbeddingInputCacheTests.AnswerByLength(upstream);
        await using var first = await StartAsync(upstream);
        await using var second = await StartAsync(upstream);

        var miss = await first.PostJsonAsync("/v1/embeddings", """{"model":"gpt","input":["a","ccc"]}""");
        Assert.Equal(HttpStatusCode.OK, miss.StatusCode);
        await WaitForEntriesAsync(2);
        var merged = await second.PostJsonAsync("/v1/embeddings", """{"model":"gpt","input":["ccc","bb","a"]}""");
        var text = await merged.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, merged.StatusCode);
        Assert.Equal(2, upstream.Requests.Count);
        Assert.Equal("""["bb"]""", upstream.LastRequest.Json().RootElement.GetProperty("input").GetRawText());
        var vectors = JsonDocument.Parse(text).RootElement.GetProperty("data").EnumerateArray()
            .Select(d => d.GetProperty("embedding")[0].GetDouble());
        Assert.Equal([3.5, 2.5, 1.5], vectors);
        await WaitForEntriesAsync(3);
        Assert.Equal(3, Entries());
    }
}
