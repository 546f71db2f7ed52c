using System.Net;
using EdgeGw.Auth;
using EdgeGw.Shared;
using EdgeGw.Tests.Infrastructure;
using StackExchange.Redis;

namespace EdgeGw.Tests.Shared;

/// <summary>
/// Admission credits (<see cref="CreditBook"/>): replicas admit on small grants of roomy limits without a round trip,
/// never pass a limit together, and every request's spend and tokens reach Redis when the credit is returned.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class AdmissionCreditTests(RedisServer redis)
{
    private const string Key = "sk-admission-credit-test-01";
    private static string KeyId => "key:" + TokenHash.FromKey(Key).ToHex();

    private async Task<TestGateway[]> ReplicasAsync(int count, string routerExtra = "")
    {
        var gateways = new TestGateway[count];
        for (var i = 0; i < count; i++)
            gateways[i] = await TestGateway.StartAsync(AdminClient.CheapModel, $"router_settings:\n  redis_url: \"{redis.Url}\"\n  redis_timeout: 5\n{routerExtra}");
        return gateways;
    }

    private static async Task CreateKeyAsync(TestGateway[] gateways, string settings)
    {
        foreach (var gateway in gateways)
            await gateway.NewKeyAsync($$"""{"key":"{{Key}}",{{settings}}}""");
    }

    private static SharedLimits Shared(TestGateway gateway) => gateway.Runtime.Limits.Shared!;

    private static async Task DisposeAllAsync(TestGateway[] gateways)
    {
        foreach (var gateway in gateways)
            await gateway.DisposeAsync();
    }

    [Fact]
    public async Task RoomyLimitsOnTwoReplicas_MostAdmittedOnCreditsAndAllSpendReachesRedis()
    {
        redis.Flush();
        var gateways = await ReplicasAsync(2);
        try
        {
            await CreateKeyAsync(gateways, "\"rpm_limit\":1000000,\"tpm_limit\":100000000,\"max_budget\":1000");
            const int requests = 300;
            for (var i = 0; i < requests; i++)
            {
                using var response = await gateways[i % 2].ChatAsync(Key);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
            var credited = gateways.Sum(g => Shared(g).Credits!.Admitted);
            var answered = gateways.Sum(g => Shared(g).LineAnswers);
            Assert.True(credited >= requests * 3 / 4, $"{credited} of {requests} admitted on credits ({answered} admissions in Redis)");
            Assert.True(answered <= requests / 4, $"{answered} admission scripts for {requests} requests");
            var metrics = await gateways[0].Client.GetStringAsync("/metrics");
            var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("edgegw_redis_credit_admissions_total ", StringComparison.Ordinal));
            Assert.Equal($"edgegw_redis_credit_admissions_total {Shared(gateways[0]).Credits!.Admitted}.0", line);
        }
        finally
        {
            // Stopping returns every credit: what each request spent is in Redis then.
            await DisposeAllAsync(gateways);
        }
        var spend = await UntilAsync(() => (long)redis.Database.StringGet(RedisKeys.Spend(KeyId, 0)), nanos => nanos >= 300 * Nanos(AdminClient.ChatCost));
        Assert.Equal(300 * Nanos(AdminClient.ChatCost), spend);
        // Nothing stays reserved once the credits are back.
        Assert.Equal(0, (long)redis.Database.HashGet(RedisKeys.Limits + "lim:" + KeyId, "="));
        Assert.Equal(0, redis.Database.SortedSetLength(RedisKeys.Limits + "lease:" + KeyId));
    }

    [Fact]
    public async Task ReturnedCredits_UnusedRequestsGoBackToTheRpmBucket()
    {
        redis.Flush();
        var gateways = await ReplicasAsync(1);
        try
        {
            // 64,000 rpm: one request is 937.5 µs of the bucket; a credit takes 64 of them.
            await CreateKeyAsync(gateways, "\"rpm_limit\":64000");
            for (var i = 0; i < 10; i++)
            {
                using var response = await gateways[0].ChatAsync(Key);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
            Assert.True(Shared(gateways[0]).Credits!.Granted >= 1, "no credit was granted");
        }
        finally
        {
            await DisposeAllAsync(gateways);
        }
        // Ten requests used, the rest of every grant given back: the bucket is ahead of Redis's clock by at most ten.
        var ahead = await UntilAsync(() =>
        {
            var at = (long)redis.Database.HashGet(RedisKeys.Limits + "lim:" + KeyId, "rt");
            var now = new DateTimeOffset(DateTime.SpecifyKind(redis.Server.Time(), DateTimeKind.Utc)).ToUnixTimeMilliseconds() * 1000;
            return at - now;
        }, micros => micros <= 10 * 938);
        Assert.True(ahead <= 10 * 938, $"the rpm bucket is {ahead} µs ahead: unused requests were not given back");
    }

    [Fact]
    public async Task RpmLimitWithCreditsOnThreeReplicas_NeverPassedTogether()
    {
        redis.Flush();
        var gateways = await ReplicasAsync(3);
        var started = DateTimeOffset.UtcNow;
        try
        {
            // Room for credits (200 / 16 ≥ 4), small enough that the replicas reach it.
            await CreateKeyAsync(gateways, "\"rpm_limit\":200");
            var tasks = Enumerable.Range(0, 400).Select(async i =>
            {
                using var response = await gateways[i % 3].ChatAsync(Key);
                return response.StatusCode;
            });
            var statuses = await Task.WhenAll(tasks);
            var refill = (int)Math.Ceiling((DateTimeOffset.UtcNow - started).TotalMinutes * 200);

            Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"{s}"));
            var admitted = statuses.Count(s => s == HttpStatusCode.OK);
            Assert.True(admitted <= 200 + refill, $"{admitted} admitted on rpm_limit 200 ({refill} refilled meanwhile)");
            Assert.True(gateways.Sum(g => Shared(g).Credits!.Admitted) > 0, "no request was admitted on a credit");
        }
        finally
        {
            await DisposeAllAsync(gateways);
        }
    }

    [Fact]
    public async Task CreditOff_EveryAdmissionIsAScriptInRedis()
    {
        redis.Flush();
        var gateways = await ReplicasAsync(1, "  redis_admission_credit: false\n");
        try
        {
            await CreateKeyAsync(gateways, "\"rpm_limit\":1000000");
            Assert.Null(Shared(gateways[0]).Credits);
            // The admission line comes up in the background: count from its first answer.
            for (var i = 0; i < 100 && Shared(gateways[0]).LineAnswers == 0; i++)
            {
                using var warm = await gateways[0].ChatAsync(Key);
                await Task.Delay(20);
            }
            var before = Shared(gateways[0]).LineAnswers;
            for (var i = 0; i < 20; i++)
            {
                using var response = await gateways[0].ChatAsync(Key);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
            Assert.Equal(20, Shared(gateways[0]).LineAnswers - before);
        }
        finally
        {
            await DisposeAllAsync(gateways);
        }
    }

    [Fact]
    public async Task BudgetWithCreditsOnThreeReplicas_StopsWithinOneRequestsCost()
    {
        redis.Flush();
        var gateways = await ReplicasAsync(3);
        try
        {
            // About 200 requests' cost: room for credits at first, reached by the end.
            await CreateKeyAsync(gateways, "\"max_budget\":2.8");
            const string body = """{"model":"cheap","max_tokens":3,"messages":[{"role":"user","content":"hi"}]}""";
            var tasks = Enumerable.Range(0, 400).Select(async i =>
            {
                using var response = await gateways[i % 3].ChatAsync(Key, body);
                return response.StatusCode;
            });
            var statuses = await Task.WhenAll(tasks);

            Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"{s}"));
            var spent = statuses.Count(s => s == HttpStatusCode.OK) * AdminClient.ChatCost;
            // The README's bound, as without credits: spend < max_budget + one request's cost.
            Assert.True(spent < 2.8m + AdminClient.ChatCost, $"spent {spent} against a 2.8 budget");
            Assert.True(spent > 2.8m / 2, $"spent only {spent} of a 2.8 budget");
            Assert.True(gateways.Sum(g => Shared(g).Credits!.Admitted) > 0, "no request was admitted on a credit");
        }
        finally
        {
            await DisposeAllAsync(gateways);
        }
    }

    private static long Nanos(decimal usd) => (long)(usd * 1_000_000_000m);

    /// <summary>Reads every 50 ms (at most 10 s) until <paramref name="done"/> holds; the last value.</summary>
    private static async Task<long> UntilAsync(Func<long> read, Func<long, bool> done)
    {
        var value = read();
        for (var i = 0; i < 200 && !done(value); i++)
        {
            await Task.Delay(50);
            value = read();
        }
        return value;
    }
}
