using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;
using EdgeGw.Tests.Replicas;

namespace EdgeGw.E2E;

/// <summary>
/// Three native replicas on one PostgreSQL database and one Redis: what only real processes show —
/// a replica killed with its parallel slots held, and Redis going away under load.
/// </summary>
[Collection(ReplicaCollection.Name)]
public sealed class RedisReplicaProcessTests(ReplicaServers servers) : IAsyncLifetime
{
    private const string Chat = """{"model":"gpt","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""";
    private const int LeaseTtlSeconds = 3;
    // Far above the 0.25 s Redis timeout: a request that waited on a dead Redis connection would show.
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(3);
    private readonly List<GatewayProcess> _replicas = [];
    // Held upstream answers are let go at the end whatever happened, so the upstream stops at once.
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FakeUpstream _upstream = null!;

    public async Task InitializeAsync() => _upstream = await FakeUpstream.StartAsync();

    public async Task DisposeAsync()
    {
        _release.TrySetResult();
        foreach (var replica in _replicas)
            await replica.DisposeAsync();
        await _upstream.DisposeAsync();
        servers.Redis.Restart();
    }

    private async Task StartReplicasAsync(string router = "")
    {
        servers.Redis.Flush();
        var yaml = $"""
            model_list:
              - model_name: gpt
                litellm_params:
                  model: openai/gpt-4o
                  api_base: {_upstream.Url}/v1
                  api_key: sk-upstream
            general_settings:
              master_key: {GatewayProcess.MasterKey}
              database_url: {servers.Postgres.Url(servers.Postgres.CreateDatabase())}
            router_settings:
              redis_url: {servers.Redis.Url}
              redis_timeout: 0.25
              redis_lease_ttl: {LeaseTtlSeconds}
            {router}
            """;
        for (var i = 0; i < 3; i++)
            _replicas.Add(await GatewayProcess.StartAsync(yaml));
    }

    private static Task AnswerAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync("""
            {"id":"c","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":10,"total_tokens":20}}
            """);
    }

    /// <summary>A key made on the first replica, once every replica authenticates it (GET /v1/models spends no limit).</summary>
    private async Task<string> NewKeyAsync(string json)
    {
        using var generated = await _replicas[0].Client.PostAsync("/key/generate", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, generated.StatusCode);
        var key = JsonDocument.Parse(await generated.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;
        foreach (var replica in _replicas)
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                using var response = await replica.Client.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.OK)
                    break;
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "a key made on one replica was not served by another within 5 s");
                await Task.Delay(20);
            }
        }
        return key;
    }

    private static HttpClient ClientFor(GatewayProcess replica, string key, TimeSpan timeout)
    {
        var client = new HttpClient { BaseAddress = replica.Client.BaseAddress, Timeout = timeout };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private static Task<HttpResponseMessage> ChatAsync(HttpClient client) =>
        client.PostAsync("/v1/chat/completions", new StringContent(Chat, Encoding.UTF8, "application/json"));

    [Fact]
    public async Task ReplicaKilledHoldingParallelSlots_SlotsReturnWithinTheirLease()
    {
        await StartReplicasAsync();
        var key = await NewKeyAsync("""{"max_parallel_requests":2}""");
        var seen = 0;
        _upstream.Handle(async (c, _) =>
        {
            if (Interlocked.Increment(ref seen) <= 2)
                await _release.Task.WaitAsync(TimeSpan.FromSeconds(60)); // the doomed replica's two requests: never answered while it lives
            await AnswerAsync(c);
        });
        var (first, second, doomed) = (_replicas[0], _replicas[1], _replicas[2]);
        using var doomedClient = ClientFor(doomed, key, TimeSpan.FromSeconds(60));
        var held = new[] { ChatAsync(doomedClient), ChatAsync(doomedClient) };
        var clock = Stopwatch.StartNew();
        while (_upstream.Requests.Count < 2)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the held requests did not reach the upstream");
            await Task.Delay(10);
        }
        using var client = ClientFor(first, key, TimeSpan.FromSeconds(30));
        using (var refused = await ChatAsync(client))
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode); // both slots held by the other process

        doomed.Signal(9);
        await doomed.WaitForExitAsync(TimeSpan.FromSeconds(10));
        _release.SetResult();
        await Task.WhenAll(held.Select(h => h.ContinueWith(_ => { }, TaskScheduler.Default)));

        // Nobody settles the dead replica's leases: they expire, and both slots serve again on the living replicas.
        var bound = TimeSpan.FromSeconds(LeaseTtlSeconds) + AnswerBound;
        clock.Restart();
        HttpStatusCode status;
        do
        {
            await Task.Delay(100);
            using var response = await ChatAsync(client);
            status = response.StatusCode;
        }
        while (status != HttpStatusCode.OK && clock.Elapsed < bound);
        Assert.Equal(HttpStatusCode.OK, status);
        using var secondClient = ClientFor(second, key, TimeSpan.FromSeconds(30));
        var both = await Task.WhenAll(ChatAsync(client), ChatAsync(secondClient));
        Assert.All(both, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
    }

    /// <summary>Steady requests from several clients over the three replicas while Redis is killed and started again; each answer and its time.</summary>
    private async Task<List<(HttpStatusCode Status, TimeSpan Took, string Body)>> LoadThroughRedisRestartAsync(string key)
    {
        var results = new List<(HttpStatusCode, TimeSpan, string)>();
        var clients = _replicas.Select(r => ClientFor(r, key, TimeSpan.FromSeconds(30))).ToArray();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested && i < 100_000; i++)
            {
                var clock = Stopwatch.StartNew();
                using var response = await ChatAsync(clients[(w + i) % clients.Length]);
                var body = await response.Content.ReadAsStringAsync();
                lock (results)
                    results.Add((response.StatusCode, clock.Elapsed, body));
            }
        })).ToArray();
        await Task.Delay(1000);
        servers.Redis.Shutdown();
        await Task.Delay(2000);
        servers.Redis.Restart();
        await Task.Delay(2000);
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        foreach (var client in clients)
            client.Dispose();
        return results;
    }

    [Fact]
    public async Task RedisRestartedMidLoad_NoRequestHangsAndReplicasServeOnLocalLimits()
    {
        await StartReplicasAsync();
        _upstream.Handle((c, _) => AnswerAsync(c));
        var key = await NewKeyAsync("""{"rpm_limit":1000000,"max_parallel_requests":1000}""");

        var results = await LoadThroughRedisRestartAsync(key);

        Assert.True(results.Count > 100, $"only {results.Count} requests answered in 5 s");
        Assert.All(results, r => Assert.True(r.Took < AnswerBound, $"a request took {r.Took.TotalMilliseconds:F0} ms"));
        Assert.All(results, r => Assert.True(r.Status == HttpStatusCode.OK, $"{(int)r.Status}: {r.Body}"));
        // Served on local limits while Redis was away, not as if it had never been configured.
        Assert.True(await SumMetricAsync("edgegw_redis_fallback_total") > 0, "no replica counted an admission on local limits");
    }

    /// <summary>A counter's value summed over the replicas' /metrics.</summary>
    private async Task<double> SumMetricAsync(string name)
    {
        var sum = 0.0;
        foreach (var replica in _replicas)
        {
            var text = await replica.Client.GetStringAsync("/metrics");
            foreach (var line in text.Split('\n').Where(l => l.StartsWith(name + " ", StringComparison.Ordinal)))
                sum += double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }
        return sum;
    }

    [Fact]
    public async Task RedisRestartedMidLoadFailingClosed_NoRequestHangsRefusalsAreErrorsAndServiceReturns()
    {
        await StartReplicasAsync("  redis_failure_mode: closed");
        _upstream.Handle((c, _) => AnswerAsync(c));
        var key = await NewKeyAsync("""{"rpm_limit":1000000}""");

        var results = await LoadThroughRedisRestartAsync(key);

        Assert.All(results, r => Assert.True(r.Took < AnswerBound, $"a request took {r.Took.TotalMilliseconds:F0} ms"));
        Assert.Contains(results, r => r.Status != HttpStatusCode.OK); // refused while Redis was away
        foreach (var refused in results.Where(r => r.Status != HttpStatusCode.OK))
        {
            Assert.True(refused.Status == HttpStatusCode.ServiceUnavailable, $"{(int)refused.Status}: {refused.Body}");
            Assert.True(JsonDocument.Parse(refused.Body).RootElement.TryGetProperty("error", out _), refused.Body);
        }
        // Once Redis is back, every replica serves again.
        foreach (var replica in _replicas)
        {
            using var client = ClientFor(replica, key, TimeSpan.FromSeconds(30));
            var clock = Stopwatch.StartNew();
            HttpStatusCode status;
            do
            {
                using var response = await ChatAsync(client);
                status = response.StatusCode;
                if (status != HttpStatusCode.OK)
                    await Task.Delay(100);
            }
            while (status != HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromSeconds(10));
            Assert.Equal(HttpStatusCode.OK, status);
        }
    }
}
