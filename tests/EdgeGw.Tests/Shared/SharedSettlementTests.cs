using System.Net;
using EdgeGw.Auth;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Shared;

/// <summary>
/// Settlement is not awaited by the request: what a client sees when Redis has lost its script cache (restart,
/// SCRIPT FLUSH, failover). A settlement sent unread would meet NOSCRIPT unseen and hold every slot for its lease.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class SharedSettlementTests(RedisServer redis)
{
    private const string Key = "sk-shared-settlement-test-01";
    private static readonly string ParallelKey = $"edgegw:{{edgegw}}:v2:lease:key:{TokenHash.FromKey(Key).ToHex()}";

    /// <summary>One request, retried every 50 ms for at most 3 s (a lost settlement holds the slot for the 30 s lease).</summary>
    private static async Task<HttpStatusCode> SoonOkAsync(TestGateway gateway)
    {
        var status = HttpStatusCode.TooManyRequests;
        for (var i = 0; i < 60 && status != HttpStatusCode.OK; i++)
        {
            if (i > 0)
                await Task.Delay(50);
            using var response = await gateway.ChatAsync(Key);
            status = response.StatusCode;
        }
        return status;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ScriptCacheLost_EachAnswerStillFreesItsParallelSlot(bool lostBeforeStart)
    {
        redis.Flush();
        if (lostBeforeStart)
            redis.Server.ScriptFlush();
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel,
            $"router_settings:\n  redis_url: \"{redis.Url}\"\n  redis_timeout: 5\n");
        await gateway.NewKeyAsync($$"""{"key":"{{Key}}","max_parallel_requests":1}""");

        for (var i = 0; i < 6; i++)
        {
            if (i == 3)
                redis.Server.ScriptFlush(); // as a Redis restart without a reconnect, or a failover to a replica, loses it
            Assert.Equal(HttpStatusCode.OK, await SoonOkAsync(gateway));
        }

        var held = -1L;
        for (var i = 0; i < 60 && held != 0; i++)
        {
            held = await redis.Database.SortedSetLengthAsync(ParallelKey);
            if (held != 0)
                await Task.Delay(50);
        }
        Assert.Equal(0, held);
    }
}
