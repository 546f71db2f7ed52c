using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Replicas;

/// <summary>
/// Three gateways with one config on one PostgreSQL database and one Redis, as replicas behind a load
/// balancer: request <c>i</c> of a burst goes to replica <c>i % 3</c>.
/// </summary>
public sealed class ThreeReplicas : IAsyncDisposable
{
    // A key made on one replica reaches the others through PostgreSQL NOTIFY (or Redis) within a second.
    private static readonly TimeSpan KeyBound = TimeSpan.FromSeconds(5);
    private readonly TestGateway[] _gateways;

    private ThreeReplicas(TestGateway[] gateways) => _gateways = gateways;

    public TestGateway this[int i] => _gateways[i % _gateways.Length];

    public IReadOnlyList<TestGateway> All => _gateways;

    /// <param name="general">More <c>general_settings</c> lines, each indented two spaces.</param>
    /// <param name="router">More <c>router_settings</c> lines, each indented two spaces (the Redis URL is added).</param>
    /// <param name="extra">More top-level YAML.</param>
    public static async Task<ThreeReplicas> StartAsync(ReplicaServers servers, string modelListYaml, string general = "", string router = "", string extra = "")
    {
        servers.Redis.Flush();
        var databaseUrl = servers.Postgres.Url(servers.Postgres.CreateDatabase());
        var yaml = $"{general.TrimEnd('\n')}\nrouter_settings:\n  redis_url: {servers.Redis.Url}\n{router.TrimEnd('\n')}\n{extra}";
        var gateways = new TestGateway[3];
        try
        {
            for (var i = 0; i < gateways.Length; i++)
                gateways[i] = await TestGateway.StartAsync(modelListYaml, yaml, databaseUrl: databaseUrl);
        }
        catch
        {
            foreach (var started in gateways.Where(g => g is not null))
                await started.DisposeAsync();
            throw;
        }
        return new ThreeReplicas(gateways);
    }

    /// <summary>Creates a key on the first replica and returns it once every replica authenticates it (without spending any of its limits).</summary>
    public async Task<string> NewKeyAsync(string json = "{}")
    {
        var key = await _gateways[0].NewKeyAsync(json);
        foreach (var gateway in _gateways.Skip(1))
        {
            var clock = Stopwatch.StartNew();
            while (await ModelsStatusAsync(gateway, key) != HttpStatusCode.OK)
            {
                Assert.True(clock.Elapsed < KeyBound, $"a key made on one replica was not served by another within {KeyBound.TotalSeconds} s");
                await Task.Delay(20);
            }
        }
        return key;
    }

    private static async Task<HttpStatusCode> ModelsStatusAsync(TestGateway gateway, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await gateway.Client.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary><paramref name="count"/> requests at once, request <c>i</c> to replica <c>i % 3</c>.</summary>
    public Task<HttpResponseMessage[]> SpreadAsync(string key, string body, int count) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(i => this[i].ChatAsync(key, body)));

    /// <summary>As <see cref="SpreadAsync"/>, with every upstream answer held until each request was refused or reached the upstream.</summary>
    public Task<HttpResponseMessage[]> HeldSpreadAsync(FakeUpstream upstream, string key, string body, int count, Func<HttpContext, Task> answer) =>
        HeldBurst.SendAsync(upstream, count, i => this[i].ChatAsync(key, body), answer);

    /// <summary>For failure messages: admissions each replica made on its own limits, Redis being unavailable or too slow.</summary>
    public string Fallbacks => string.Join(" / ", _gateways.Select(g => g.Runtime.Limits.Shared is { } shared ? $"{shared.Fallbacks} fallbacks, {shared.Failures} Redis failures" : "no Redis"));

    /// <summary>Asserts <paramref name="expected"/> answers were 200, naming any replica that went on without Redis.</summary>
    public void AssertAdmitted(int expected, IEnumerable<HttpResponseMessage> responses)
    {
        var admitted = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        Assert.True(expected == admitted, $"{admitted} admitted, expected {expected} (replicas: {Fallbacks})");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var gateway in _gateways)
            await gateway.DisposeAsync();
    }
}
