using System.Net;
using System.Net.Http.Headers;
using System.Text;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Limits;

/// <summary>Key, team, user, deployment and global limits as a client sees them over HTTP.</summary>
public sealed class RateLimitEnforcementTests
{
    private static async Task<HttpStatusCode[]> ConcurrentChatsAsync(TestGateway gateway, string key, int count, string body = AdminClient.Chat)
    {
        using var start = new SemaphoreSlim(0);
        var tasks = Enumerable.Range(0, count).Select(async _ =>
        {
            await start.WaitAsync();
            using var response = await gateway.ChatAsync(key, body);
            return response.StatusCode;
        }).ToList();
        start.Release(count);
        return await Task.WhenAll(tasks);
    }

    [Fact]
    public async Task RpmLimitUnderConcurrency_AdmitsExactlyLimit()
    {
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, time: new FakeTime());
        var key = await gateway.NewKeyAsync("""{"rpm_limit":10}""");

        var statuses = await ConcurrentChatsAsync(gateway, key, 40);

        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(30, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task Refusal_Is429NamingLimitWithRetryAfter()
    {
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, time: new FakeTime());
        var key = await gateway.NewKeyAsync("""{"rpm_limit":2,"key_alias":"ci-bot"}""");
        (await gateway.ChatAsync(key)).Dispose();
        (await gateway.ChatAsync(key)).Dispose();

        using var refused = await gateway.ChatAsync(key);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), refused.Headers.RetryAfter!.Delta);
        var error = await AdminClient.ErrorOf(refused);
        Assert.Equal("rate_limit_error", error.GetProperty("type").GetString());
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains("key 'ci-bot'", message, StringComparison.Ordinal);
        Assert.Contains("rpm_limit 2", message, StringComparison.Ordinal);
        Assert.Contains("resets in 30s", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelResponse_CarriesRateLimitHeadersForTightestLimit()
    {
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, time: new FakeTime());
        var team = (await gateway.PostAdminAsync("/team/new", """{"rpm_limit":5,"tpm_limit":1000}""")).GetProperty("team_id").GetString();
        var key = await gateway.NewKeyAsync($$"""{"rpm_limit":100,"tpm_limit":500,"team_id":"{{team}}"}""");

        using var response = await gateway.ChatAsync(key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("5", response.Headers.GetValues("x-ratelimit-limit-requests").Single());
        Assert.Equal("4", response.Headers.GetValues("x-ratelimit-remaining-requests").Single());
        Assert.Equal("12s", response.Headers.GetValues("x-ratelimit-reset-requests").Single());
        Assert.Equal("500", response.Headers.GetValues("x-ratelimit-limit-tokens").Single());
        Assert.True(int.Parse(response.Headers.GetValues("x-ratelimit-remaining-tokens").Single(), System.Globalization.CultureInfo.InvariantCulture) < 500);
    }

    [Fact]
    public async Task TeamLimit_RefusesKeysOfTheTeam()
    {
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, time: new FakeTime());
        var team = (await gateway.PostAdminAsync("/team/new", """{"rpm_limit":2,"team_alias":"search"}""")).GetProperty("team_id").GetString();
        var first = await gateway.NewKeyAsync($$"""{"team_id":"{{team}}"}""");
        var second = await gateway.NewKeyAsync($$"""{"team_id":"{{team}}"}""");
        (await gateway.ChatAsync(first)).Dispose();
        (await gateway.ChatAsync(second)).Dispose();

        using var refused = await gateway.ChatAsync(first);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("team 'search'", (await AdminClient.ErrorOf(refused)).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserLimit_RefusesKeysOfTheUser()
    {
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, time: new FakeTime());
        await gateway.PostAdminAsync("/user/new", """{"user_id":"ann","rpm_limit":1,"auto_create_key":false}""");
        var key = await gateway.NewKeyAsync("""{"user_id":"ann"}""");
        (await gateway.ChatAsync(key)).Dispose();

        using var refused = await gateway.ChatAsync(key);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("user 'ann'", (await AdminClient.ErrorOf(refused)).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenDebt_RefusesUntilTheWindowHasRoom()
    {
        var time = new FakeTime();
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, time: time);
        // Chat uses 8 prompt + 3 completion = 11 tokens; it reserves its body's estimate plus 4,096 output
        // tokens (no max_tokens), so it runs while the window has room and settles to 11.
        var key = await gateway.NewKeyAsync("""{"tpm_limit":12}""");
        using (var first = await gateway.ChatAsync(key))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal("12", first.Headers.GetValues("x-ratelimit-limit-tokens").Single());
        }
        using (var second = await gateway.ChatAsync(key))
            Assert.Equal(HttpStatusCode.OK, second.StatusCode); // 1 token of room left: admitted, 22 used

        using (var early = await gateway.ChatAsync(key))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, early.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(50), early.Headers.RetryAfter!.Delta); // 12 tpm refills a token per 5 s
        }
        time.Advance(TimeSpan.FromSeconds(49));
        using (var stillEarly = await gateway.ChatAsync(key))
            Assert.Equal(HttpStatusCode.TooManyRequests, stillEarly.StatusCode);
        time.Advance(TimeSpan.FromSeconds(2));
        using var later = await gateway.ChatAsync(key);
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
    }

    [Fact]
    public async Task KeyUpdate_ChangesLimitWithoutResettingUsage()
    {
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, time: new FakeTime());
        var key = await gateway.NewKeyAsync("""{"rpm_limit":3}""");
        var statuses = await ConcurrentChatsAsync(gateway, key, 5);
        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.OK));

        await gateway.PostAdminAsync("/key/update", $$"""{"key":"{{key}}","rpm_limit":5}""");

        statuses = await ConcurrentChatsAsync(gateway, key, 5);
        Assert.Equal(2, statuses.Count(s => s == HttpStatusCode.OK));
    }

    [Fact]
    public async Task MasterKey_IsNotLimitedByKeyLimits()
    {
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, time: new FakeTime());
        var statuses = await ConcurrentChatsAsync(gateway, TestGateway.MasterKey, 30);
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
    }

    [Fact]
    public async Task SaturatedDeployment_IsSkippedAndWhenAllAreSaturatedNoDeploymentsAvailable()
    {
        await using var gateway = await TestGateway.StartAsync("""
            - model_name: gpt
              litellm_params: { model: mock/a, rpm: 2, mock_response: from-a }
            - model_name: gpt
              litellm_params: { model: mock/b, rpm: 3, mock_response: from-b }
            """, time: new FakeTime());

        var answers = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await gateway.PostJsonAsync("/v1/chat/completions", """{"model":"gpt","messages":[{"role":"user","content":"hi"}]}""");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            answers.Add(System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement
                .GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!);
        }
        Assert.Equal(2, answers.Count(a => a == "from-a"));
        Assert.Equal(3, answers.Count(a => a == "from-b"));

        using var refused = await gateway.PostJsonAsync("/v1/chat/completions", """{"model":"gpt","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.StartsWith("No deployments available for selected model", (await AdminClient.ErrorOf(refused)).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GlobalMaxParallelRequests_CapsRequestsInFlight()
    {
        await using var gateway = await TestGateway.StartAsync("""
            - model_name: slow
              litellm_params: { model: mock/slow, mock_response: "a b c d e f g h", mock_tokens_per_second: 20 }
            """, "  max_parallel_requests: 2\n");

        var streams = new List<HttpResponseMessage>();
        for (var i = 0; i < 2; i++)
            streams.Add(await gateway.PostStreamAsync("/v1/chat/completions", """{"model":"slow","stream":true,"messages":[{"role":"user","content":"hi"}]}"""));
        using (var third = await gateway.PostJsonAsync("/v1/chat/completions", """{"model":"slow","messages":[{"role":"user","content":"hi"}]}"""))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
            Assert.Contains("max_parallel_requests 2", (await AdminClient.ErrorOf(third)).GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        foreach (var stream in streams)
        {
            await stream.Content.ReadAsStringAsync();
            stream.Dispose();
        }
        using var after = await gateway.PostJsonAsync("/v1/chat/completions", """{"model":"slow","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task ThousandsOfAbortedStreams_LeakNoParallelSlot()
    {
        await using var gateway = await TestGateway.StartAsync("""
            - model_name: slow
              litellm_params: { model: mock/slow, mock_response: "a b c d e f g h i j k l m n o p", mock_tokens_per_second: 200 }
            """);
        var key = await gateway.NewKeyAsync("""{"max_parallel_requests":4}""");
        const string body = """{"model":"slow","stream":true,"messages":[{"role":"user","content":"hi"}]}""";
        var aborted = 0;

        async Task AbortOneAsync()
        {
            using var client = new HttpClient { BaseAddress = gateway.BaseAddress };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (Volatile.Read(ref aborted) < 1000 && DateTime.UtcNow < deadline)
            {
                using var cts = new CancellationTokenSource();
                var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    // All four slots busy until the server notices the last hang-ups: try again.
                    await Task.Delay(2);
                    continue;
                }
                var stream = await response.Content.ReadAsStreamAsync(cts.Token);
                _ = await stream.ReadAsync(new byte[64], cts.Token);
                cts.Cancel(); // hang up mid-stream
                Interlocked.Increment(ref aborted);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => AbortOneAsync()));
        Assert.True(aborted >= 1000, $"only {aborted} streams were aborted mid-way");

        // Every slot must come back: four full streams in parallel are admitted (the server may take a
        // moment to notice the last hang-ups, so wait until it has, bounded).
        var deadline = DateTime.UtcNow.AddSeconds(10);
        HttpStatusCode[] statuses;
        do
        {
            statuses = await ConcurrentChatsAsync(gateway, key, 4, """{"model":"slow","messages":[{"role":"user","content":"hi"}]}""");
        }
        while (statuses.Any(s => s != HttpStatusCode.OK) && DateTime.UtcNow < deadline);
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
    }
}
