using System.Net;
using EdgeGw.Auth;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Shared;

/// <summary>Limits and budgets held in one Redis by several gateways, as their clients see them.</summary>
[Collection(RedisCollection.Name)]
public sealed class SharedLimitsTests(RedisServer redis)
{
    private const string SharedKey = "sk-shared-limits-test-0001";

    private async Task<TestGateway[]> ReplicasAsync(int count, string models = AdminClient.CheapModel, string routerExtra = "")
    {
        var gateways = new TestGateway[count];
        for (var i = 0; i < count; i++)
            gateways[i] = await TestGateway.StartAsync(models, $"router_settings:\n  redis_url: \"{redis.Url}\"\n{routerExtra}");
        return gateways;
    }

    /// <summary>The same key (same token) on every replica, as a shared database would have it.</summary>
    private static async Task CreateKeyAsync(TestGateway[] gateways, string settings)
    {
        foreach (var gateway in gateways)
            await gateway.NewKeyAsync($$"""{"key":"{{SharedKey}}",{{settings}}}""");
    }

    private static async Task<HttpStatusCode[]> SpreadAsync(TestGateway[] gateways, int count, string body = AdminClient.Chat)
    {
        using var start = new SemaphoreSlim(0);
        var tasks = Enumerable.Range(0, count).Select(async i =>
        {
            await start.WaitAsync();
            using var response = await gateways[i % gateways.Length].ChatAsync(SharedKey, body);
            return response.StatusCode;
        }).ToList();
        start.Release(count);
        return await Task.WhenAll(tasks);
    }

    private static async Task DisposeAllAsync(TestGateway[] gateways)
    {
        foreach (var gateway in gateways)
            await gateway.DisposeAsync();
    }

    [Fact]
    public async Task RpmLimitAcrossThreeReplicas_AdmitsExactlyLimit()
    {
        redis.Flush();
        var gateways = await ReplicasAsync(3);
        try
        {
            await CreateKeyAsync(gateways, "\"rpm_limit\":10");

            var statuses = await SpreadAsync(gateways, 60);

            Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.OK));
            Assert.Equal(50, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        }
        finally
        {
            await DisposeAllAsync(gateways);
        }
    }
}
