using System.Net;
using EdgeGw.Shared;
using EdgeGw.Tests.Infrastructure;
using StackExchange.Redis;

namespace EdgeGw.Tests.Shared;

/// <summary>
/// The admission line: admit.lua and settle.lua on a connection of the gateway's own (CLIENT LIST
/// name <c>edgegw-admit</c>), the request's thread writing and the reply resuming it.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisAdmitLineTests(RedisServer redis)
{
    private const string Key = "sk-admit-line-test-0001";

    private Task<TestGateway> GatewayAsync() =>
        TestGateway.StartAsync(AdminClient.CheapModel, $"router_settings:\n  redis_url: \"{redis.Url}\"\n  redis_timeout: 5\n");

    private static SharedLimits Shared(TestGateway gateway) => gateway.Runtime.Limits.Shared!;

    private long? AdmitClientId()
    {
        foreach (var client in redis.Server.ClientList())
        {
            if (client.Name == "edgegw-admit")
                return client.Id;
        }
        return null;
    }

    private async Task<long> AdmitClientSoonAsync()
    {
        for (var i = 0; i < 100; i++)
        {
            if (AdmitClientId() is { } id)
                return id;
            await Task.Delay(50);
        }
        throw new TimeoutException("no edgegw-admit connection within 5 s");
    }

    [Fact]
    public async Task SequentialRequestsWithOneParallelSlot_AllServedOverTheAdmitConnection()
    {
        redis.Flush();
        await using var gateway = await GatewayAsync();
        await gateway.NewKeyAsync($$"""{"key":"{{Key}}","max_parallel_requests":1,"rpm_limit":1000}""");
        await AdmitClientSoonAsync();
        var before = Shared(gateway).LineAnswers;

        // Each answer's settlement goes out on the same connection ahead of the next admission: the slot is always free again.
        for (var i = 0; i < 20; i++)
        {
            using var response = await gateway.ChatAsync(Key);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.True(Shared(gateway).LineAnswers - before >= 20, $"{Shared(gateway).LineAnswers - before} admissions and settlements answered on the line");
        Assert.Equal(0, Shared(gateway).Failures);
    }

    [Fact]
    public async Task AdmitConnectionKilled_RequestsStayExactAndItComesBack()
    {
        redis.Flush();
        await using var gateway = await GatewayAsync();
        await gateway.NewKeyAsync($$"""{"key":"{{Key}}","rpm_limit":8}""");
        var first = await AdmitClientSoonAsync();
        for (var i = 0; i < 3; i++)
        {
            using var response = await gateway.ChatAsync(Key);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        redis.Server.ClientKill(new ClientKillFilter().WithId(first));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            using var response = await gateway.ChatAsync(Key);
            statuses.Add(response.StatusCode);
        }

        // 8 a minute across both connections: 5 more served, then refused, whichever connection carried them.
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, 5), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        var second = await AdmitClientSoonAsync();
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task ScriptsFlushedWhileTheLineIsUp_AdmissionFallsBackAndStaysExact()
    {
        redis.Flush();
        await using var gateway = await GatewayAsync();
        await gateway.NewKeyAsync($$"""{"key":"{{Key}}","rpm_limit":4}""");
        await AdmitClientSoonAsync();
        using (var warm = await gateway.ChatAsync(Key))
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);

        redis.Server.ScriptFlush(); // as a Redis restart without a reconnect loses them: NOSCRIPT, the script never ran
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await gateway.ChatAsync(Key);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(0, Shared(gateway).Failures);
    }
}
