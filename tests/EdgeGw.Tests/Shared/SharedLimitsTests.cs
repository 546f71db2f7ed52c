using System.Net;
using EdgeGw.Auth;
using EdgeGw.Tests.Infrastructure;
using StackExchange.Redis;

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

    /// <summary>Replicas that wait for Redis as long as a loaded test machine may need (a timeout falls back to local limits).</summary>
    private Task<TestGateway[]> PatientReplicasAsync(int count, string models = AdminClient.CheapModel, string routerExtra = "") =>
        ReplicasAsync(count, models, "  redis_timeout: 5\n" + routerExtra);

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

    /// <summary>Starts <paramref name="count"/> requests at once and returns them unfinished.</summary>
    private static List<Task<HttpStatusCode>> Start(TestGateway[] gateways, int count, string body)
    {
        return [.. Enumerable.Range(0, count).Select(async i =>
        {
            using var response = await gateways[i % gateways.Length].ChatAsync(SharedKey, body);
            return response.StatusCode;
        })];
    }

    /// <summary>An OpenAI upstream that holds every answer until <paramref name="gate"/> opens: nothing settles while requests arrive.</summary>
    private static async Task<FakeUpstream> GatedUpstreamAsync(TaskCompletionSource gate)
    {
        var upstream = await FakeUpstream.StartAsync();
        upstream.Handle(async (context, _) =>
        {
            await gate.Task;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":8,"completion_tokens":2,"total_tokens":10}}""");
        });
        return upstream;
    }

    /// <summary>Waits (bounded) until every request not held upstream has finished, so the held ones are all that was admitted.</summary>
    private static async Task SettleRefusalsAsync(List<Task<HttpStatusCode>> requests, FakeUpstream upstream)
    {
        for (var i = 0; i < 200 && requests.Count(t => t.IsCompleted) + upstream.Requests.Count < requests.Count; i++)
            await Task.Delay(50);
    }

    /// <summary>Asks every 100 ms (for at most 20 s) until a request is admitted; the last status.</summary>
    private static async Task<HttpStatusCode> UntilOkAsync(TestGateway gateway)
    {
        var status = HttpStatusCode.ServiceUnavailable;
        for (var i = 0; i < 200 && status != HttpStatusCode.OK; i++)
        {
            await Task.Delay(100);
            using var response = await gateway.ChatAsync(SharedKey);
            status = response.StatusCode;
        }
        return status;
    }

    private static string KeyId => TokenHash.FromKey(SharedKey).ToHex();

    private static async Task DisposeAllAsync(TestGateway[] gateways)
    {
        foreach (var gateway in gateways)
            await gateway.DisposeAsync();
    }

    [Fact]
    public async Task RpmLimitAcrossThreeReplicas_AdmitsExactlyLimit()
    {
        redis.Flush();
        var gateways = await PatientReplicasAsync(3);
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

    [Fact]
    public async Task TpmLimitAcrossThreeReplicas_AdmitsUntilReservationsFillIt()
    {
        redis.Flush();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await GatedUpstreamAsync(gate);
        var gateways = await PatientReplicasAsync(3, OpenAiDeploymentYaml.Of("gated", upstream));
        try
        {
            await CreateKeyAsync(gateways, "\"tpm_limit\":1000");
            const string body = """{"model":"gated","max_tokens":280,"messages":[{"role":"user","content":"hi"}]}""";
            var reservation = (body.Length + 3) / 4 + 280;
            // LiteLLM's "used < limit": admitted while the reservations so far are under the limit.
            var expected = (1000 - 1) / reservation + 1;
            Assert.True(expected * reservation - 1000 >= 100, "the test needs a margin the refill cannot cross while it runs");

            var requests = Start(gateways, 30, body);
            await SettleRefusalsAsync(requests, upstream);
            gate.SetResult();
            var statuses = await Task.WhenAll(requests);

            Assert.Equal(expected, statuses.Count(s => s == HttpStatusCode.OK));
            Assert.Equal(30 - expected, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        }
        finally
        {
            gate.TrySetResult();
            await DisposeAllAsync(gateways);
        }
    }

    [Fact]
    public async Task MaxParallelAcrossReplicas_AdmitsExactlyLimitAndSlotsReturn()
    {
        redis.Flush();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await GatedUpstreamAsync(gate);
        var gateways = await PatientReplicasAsync(3, OpenAiDeploymentYaml.Of("gated", upstream));
        try
        {
            await CreateKeyAsync(gateways, "\"max_parallel_requests\":3");
            const string body = """{"model":"gated","messages":[{"role":"user","content":"hi"}]}""";

            var requests = Start(gateways, 30, body);
            await SettleRefusalsAsync(requests, upstream);
            Assert.Equal(3, upstream.Requests.Count);
            gate.SetResult();
            var statuses = await Task.WhenAll(requests);
            Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.OK));
            Assert.Equal(27, statuses.Count(s => s == HttpStatusCode.TooManyRequests));

            // Settlement is not awaited by the request: the slots are back once it has run.
            var again = 0;
            for (var i = 0; i < 100 && again < 3; i++)
            {
                var batch = await Task.WhenAll(Start(gateways, 3, body));
                again = batch.Count(s => s == HttpStatusCode.OK);
                if (again < 3)
                    await Task.Delay(50);
            }
            Assert.Equal(3, again);
        }
        finally
        {
            gate.TrySetResult();
            await DisposeAllAsync(gateways);
        }
    }

    [Fact]
    public async Task BudgetAcrossReplicasUnderConcurrency_StopsWithinOneRequestsCost()
    {
        redis.Flush();
        var gateways = await PatientReplicasAsync(3);
        try
        {
            await CreateKeyAsync(gateways, "\"max_budget\":0.1");
            const string body = """{"model":"cheap","max_tokens":3,"messages":[{"role":"user","content":"hi"}]}""";

            var statuses = await SpreadAsync(gateways, 40, body);

            var spent = statuses.Count(s => s == HttpStatusCode.OK) * AdminClient.ChatCost;
            Assert.True(spent > 0, "nothing was admitted");
            // The README's bound: spend < max_budget + one request's cost (each cost within its reservation).
            Assert.True(spent < 0.1m + AdminClient.ChatCost, $"spent {spent} against a 0.1 budget");
            Assert.Equal(40, statuses.Count(s => s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests));
        }
        finally
        {
            await DisposeAllAsync(gateways);
        }
    }

    [Fact]
    public async Task DeploymentFullInRedis_AnotherDeploymentServes()
    {
        redis.Flush();
        const string pair = """
            - model_name: pair
              litellm_params: { model: mock/a, mock_response: hi, rpm: 2 }
            - model_name: pair
              litellm_params: { model: mock/b, mock_response: hi, rpm: 2 }
            """;
        var gateways = await PatientReplicasAsync(2, pair);
        try
        {
            await CreateKeyAsync(gateways, "\"rpm_limit\":100");
            const string body = """{"model":"pair","messages":[{"role":"user","content":"hi"}]}""";
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 6; i++)
            {
                using var response = await gateways[i % 2].ChatAsync(SharedKey, body);
                statuses.Add(response.StatusCode);
            }

            Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, 4), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 2)], statuses);
        }
        finally
        {
            await DisposeAllAsync(gateways);
        }
    }

    [Fact]
    public Task ParallelSlotOfCrashedReplica_ComesBackAfterItsLease() =>
        // A replica that admitted a request and died: its slot is held until the lease expires.
        CrashedReplicaLeaseComesBackAsync("\"max_parallel_requests\":1",
            expiry => redis.Database.SortedSetAdd($"edgegw:{{edgegw}}:v2:lease:key:{KeyId}", "crashed-replica:1", expiry));

    [Fact]
    public Task BudgetReservationOfCrashedReplica_ComesBackAfterItsLease() =>
        // A replica that reserved the whole budget (0.1 USD in nano-USD) and died: held until the lease expires.
        CrashedReplicaLeaseComesBackAsync("\"max_budget\":0.1", expiry =>
        {
            redis.Database.SortedSetAdd($"edgegw:{{edgegw}}:v2:lease:key:{KeyId}", "crashed-replica:1=100000000", expiry);
            redis.Database.HashSet($"edgegw:{{edgegw}}:v2:lim:key:{KeyId}", "=", 100_000_000);
        });

    /// <summary>One replica on a 1 s lease; <paramref name="crash"/> leaves a dead replica's lease, expiring in 1 s (Redis time), holding the key full.</summary>
    private async Task CrashedReplicaLeaseComesBackAsync(string keySettings, Action<long> crash)
    {
        redis.Flush();
        var gateways = await PatientReplicasAsync(1, routerExtra: "  redis_lease_ttl: 1\n");
        try
        {
            await CreateKeyAsync(gateways, keySettings);
            var now = redis.Server.Time();
            crash(new DateTimeOffset(DateTime.SpecifyKind(now, DateTimeKind.Utc)).AddSeconds(1).ToUnixTimeMilliseconds());

            using (var refused = await gateways[0].ChatAsync(SharedKey))
                Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal(HttpStatusCode.OK, await UntilOkAsync(gateways[0]));
        }
        finally
        {
            await DisposeAllAsync(gateways);
        }
    }

    [Fact]
    public async Task PreviousReleaseKeysHeldFull_NewLayoutIgnoresThem()
    {
        redis.Flush();
        var gateways = await PatientReplicasAsync(1);
        try
        {
            await CreateKeyAsync(gateways, "\"rpm_limit\":1,\"max_parallel_requests\":1");
            // What a replica of the previous release leaves during a rolling upgrade: a full rpm bucket and a live slot.
            var now = new DateTimeOffset(DateTime.SpecifyKind(redis.Server.Time(), DateTimeKind.Utc));
            var id = $"key:{KeyId}";
            redis.Database.HashSet($"edgegw:{{edgegw}}:rpm:{id}", [new("t", now.AddMinutes(2).ToUnixTimeMilliseconds() * 1000), new("l", 1)]);
            redis.Database.SortedSetAdd($"edgegw:{{edgegw}}:par:{id}", "old-replica:1", now.AddMinutes(1).ToUnixTimeMilliseconds());

            using (var admitted = await gateways[0].ChatAsync(SharedKey))
                Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
            Assert.True(redis.Database.KeyExists($"edgegw:{{edgegw}}:v2:lim:{id}"), "admitted through Redis, in the new layout");
            Assert.Equal(1, redis.Database.SortedSetLength($"edgegw:{{edgegw}}:par:{id}"));
        }
        finally
        {
            await DisposeAllAsync(gateways);
        }
    }

    /// <summary>Two replicas on a 1 s lease whose key allows one request at a time, the first replica's held upstream; its held request started.</summary>
    private async Task<(TestGateway[] Gateways, Task<HttpStatusCode> Held)> OneSlotHeldAsync(FakeUpstream upstream)
    {
        var gateways = await PatientReplicasAsync(2, AdminClient.CheapModel + "\n" + OpenAiDeploymentYaml.Of("gated", upstream), "  redis_lease_ttl: 1\n");
        await CreateKeyAsync(gateways, "\"max_parallel_requests\":1");
        var held = Start([gateways[0]], 1, """{"model":"gated","messages":[{"role":"user","content":"hi"}]}""")[0];
        for (var i = 0; i < 200 && upstream.Requests.IsEmpty; i++)
            await Task.Delay(50);
        Assert.Single(upstream.Requests);
        return (gateways, held);
    }

    [Fact]
    public async Task RequestHeldForSeveralLeaseTtls_KeepsItsSlotOnEveryReplica()
    {
        redis.Flush();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await GatedUpstreamAsync(gate);
        var (gateways, held) = await OneSlotHeldAsync(upstream);
        try
        {
            // Four seconds of asking the other replica: four lease TTLs, each renewed by the holder's heartbeat.
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 20; i++)
            {
                await Task.Delay(200);
                using var response = await gateways[1].ChatAsync(SharedKey);
                statuses.Add(response.StatusCode);
            }
            gate.SetResult();

            Assert.All(statuses, s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
            Assert.Equal(HttpStatusCode.OK, await held);
            Assert.Equal(HttpStatusCode.OK, await UntilOkAsync(gateways[1]));
            Assert.True(gateways[0].Runtime.Limits.Shared!.Renewal.Renewed >= 4);
        }
        finally
        {
            gate.TrySetResult();
            await DisposeAllAsync(gateways);
        }
    }

    [Fact]
    public async Task ReplicaThatStopsRenewingMidRequest_ItsSlotReturnsWithinALease()
    {
        redis.Flush();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await GatedUpstreamAsync(gate);
        var (gateways, held) = await OneSlotHeldAsync(upstream);
        try
        {
            using (var refused = await gateways[1].ChatAsync(SharedKey))
                Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);

            // A crash as Redis sees it: the request never settles and nobody renews its lease.
            await gateways[0].Runtime.Limits.Shared!.Renewal.DisposeAsync();

            Assert.Equal(HttpStatusCode.OK, await UntilOkAsync(gateways[1]));
            Assert.False(held.IsCompleted);
        }
        finally
        {
            gate.TrySetResult();
            await DisposeAllAsync(gateways);
        }
    }

    [Fact]
    public async Task RedisDown_LocalModeServesOnLocalLimits()
    {
        redis.Flush();
        var gateways = await ReplicasAsync(1);
        try
        {
            await CreateKeyAsync(gateways, "\"rpm_limit\":3");
            redis.Shutdown();
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 5; i++)
            {
                using var response = await gateways[0].ChatAsync(SharedKey);
                statuses.Add(response.StatusCode);
            }

            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
            var metrics = await gateways[0].Client.GetStringAsync("/metrics");
            Assert.Contains("edgegw_redis_fallback_total 3", metrics, StringComparison.Ordinal);
            Assert.Contains("edgegw_redis_breaker_open 1", metrics, StringComparison.Ordinal);
        }
        finally
        {
            redis.Restart();
            await DisposeAllAsync(gateways);
        }
    }

    [Fact]
    public async Task RedisDown_ClosedModeRefuses503NamingRedis_ThenRecovers()
    {
        redis.Flush();
        var gateways = await ReplicasAsync(1, routerExtra: "  redis_failure_mode: closed\n");
        try
        {
            await CreateKeyAsync(gateways, "\"rpm_limit\":100");
            redis.Shutdown();

            using (var refused = await gateways[0].ChatAsync(SharedKey))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
                var error = await AdminClient.ErrorOf(refused);
                Assert.Contains("Redis", error.GetProperty("message").GetString(), StringComparison.Ordinal);
                Assert.Equal("service_unavailable", error.GetProperty("type").GetString());
            }

            redis.Restart();
            Assert.Equal(HttpStatusCode.OK, await UntilOkAsync(gateways[0]));
            Assert.True(redis.Database.KeyExists($"edgegw:{{edgegw}}:v2:lim:key:{KeyId}"), "the admission after the restart went through Redis");
        }
        finally
        {
            if (!redis.IsRunning)
                redis.Restart();
            await DisposeAllAsync(gateways);
        }
    }
}
