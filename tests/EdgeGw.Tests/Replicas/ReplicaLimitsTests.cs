using System.Diagnostics;
using System.Net;
using System.Text;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Replicas;

/// <summary>
/// Limits that hold across three replicas sharing one Redis, not per replica: the totals a client
/// gets through the whole set are what one gateway would allow. Real time (Redis keeps the clock), so
/// each burst is sized to finish well inside the time its limit takes to refill one request.
/// </summary>
[Collection(ReplicaCollection.Name)]
public sealed class ReplicaLimitsTests(ReplicaServers servers) : IAsyncLifetime
{
    private const decimal InputPrice = 0.00001m, OutputPrice = 0.00002m;
    private FakeUpstream _upstream = null!;

    public async Task InitializeAsync() => _upstream = await FakeUpstream.StartAsync();

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    private string PricedModel => OpenAiDeploymentYaml.Of("gpt", _upstream, "", $"input_cost_per_token: {InputPrice}", $"output_cost_per_token: {OutputPrice}");

    private static string Body(int maxTokens) => $$"""{"model":"gpt","max_tokens":{{maxTokens}},"messages":[{"role":"user","content":"hello"}]}""";

    private static int PromptEstimate(string body) => (Encoding.UTF8.GetByteCount(body) + 3) / 4;

    private static Task AnswerTenAndTen(HttpContext context) => HeldBurst.AnswerAsync(context, stream: false, prompt: 10, completion: 10);

    private static async Task AssertRefusedNaming(IEnumerable<HttpResponseMessage> refused, string limit)
    {
        foreach (var response in refused)
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.Contains(limit, (await AdminClient.ErrorOf(response)).GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task KeyRpm10_SixtyConcurrentRequestsOverThreeReplicas_AdmitsExactlyTen()
    {
        await using var replicas = await ThreeReplicas.StartAsync(servers, AdminClient.CheapModel);
        var key = await replicas.NewKeyAsync("""{"rpm_limit":10}""");

        var responses = await replicas.SpreadAsync(key, AdminClient.Chat, 60);

        replicas.AssertAdmitted(10, responses);
        await AssertRefusedNaming(responses.Where(r => r.StatusCode != HttpStatusCode.OK), "rpm_limit 10");
    }

    [Fact]
    public async Task DeploymentRpm10_SixtyConcurrentRequestsOverThreeReplicas_AdmitsExactlyTen()
    {
        const string model = """
            - model_name: cheap
              litellm_params:
                model: mock/cheap
                mock_response: one two three
                rpm: 10
            """;
        await using var replicas = await ThreeReplicas.StartAsync(servers, model);

        var responses = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => replicas[i].PostJsonAsync("/v1/chat/completions", AdminClient.Chat)));

        replicas.AssertAdmitted(10, responses);
        await AssertRefusedNaming(responses.Where(r => r.StatusCode != HttpStatusCode.OK), "No deployments available");
    }

    [Fact]
    public async Task KeyTpm10000_SixtyHeldRequestsOverThreeReplicas_AdmitAsOneGatewayWould()
    {
        await using var replicas = await ThreeReplicas.StartAsync(servers, PricedModel);
        var key = await replicas.NewKeyAsync("""{"tpm_limit":10000}""");
        var body = Body(maxTokens: 1000);
        var reservation = PromptEstimate(body) + 1000; // refills in ~6 s: far longer than the burst

        var responses = await replicas.HeldSpreadAsync(_upstream, key, body, 60, AnswerTenAndTen);

        // Admitted while the reserved total is under the limit: the last one may pass it by its own reservation, no more.
        replicas.AssertAdmitted((10000 + reservation - 1) / reservation, responses);
        await AssertRefusedNaming(responses.Where(r => r.StatusCode != HttpStatusCode.OK), "tpm_limit 10000");
    }

    [Fact]
    public async Task KeyMaxParallel4_ThirtyHeldRequestsOverThreeReplicas_FourInFlightThenSlotsFree()
    {
        await using var replicas = await ThreeReplicas.StartAsync(servers, PricedModel);
        var key = await replicas.NewKeyAsync("""{"max_parallel_requests":4}""");

        var responses = await replicas.HeldSpreadAsync(_upstream, key, Body(10), 30, AnswerTenAndTen);

        replicas.AssertAdmitted(4, responses);
        await AssertRefusedNaming(responses.Where(r => r.StatusCode != HttpStatusCode.OK), "max_parallel_requests");
        // Every slot came back when its answer ended: a client that waits the Retry-After it was given is admitted on each replica.
        await Task.Delay(responses.Where(r => r.StatusCode != HttpStatusCode.OK).Max(r => r.Headers.RetryAfter?.Delta ?? TimeSpan.Zero));
        foreach (var replica in replicas.All)
        {
            using var again = await replica.ChatAsync(key, Body(10));
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }
    }

    [Fact]
    public async Task KeyMaxBudget_FortyHeldRequestsOverThreeReplicas_SpendStaysWithinOneRequest()
    {
        await using var replicas = await ThreeReplicas.StartAsync(servers, PricedModel);
        var key = await replicas.NewKeyAsync("""{"max_budget":0.001}""");
        var body = Body(10);
        var cost = 10 * InputPrice + 10 * OutputPrice;

        var responses = await replicas.HeldSpreadAsync(_upstream, key, body, 40, AnswerTenAndTen);

        var admitted = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        Assert.InRange(admitted, 1, 39);
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("budget_exceeded", (await AdminClient.ErrorOf(refused)).GetProperty("type").GetString());
        }
        // Every replica's spend in one ledger (written in batches, read back every second).
        var spend = await SpendOnceSettledAsync(replicas[0], key, admitted * cost);
        Assert.Equal(admitted * cost, spend);
        // README's bound: each admitted while spend + reserved < max_budget, so spend < max_budget + one request's cost.
        Assert.True(spend < 0.001m + cost, $"spent {spend} on max_budget 0.001 through three replicas (one request: {cost}; replicas: {replicas.Fallbacks})");
    }

    private static async Task<decimal> SpendOnceSettledAsync(TestGateway gateway, string key, decimal expected)
    {
        var clock = Stopwatch.StartNew();
        var spend = await gateway.KeySpendAsync(key);
        while (spend != expected && clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(50);
            spend = await gateway.KeySpendAsync(key);
        }
        return spend;
    }
}
