using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Cache;

/// <summary>The local response cache over HTTP: hits, misses, each per-request control, ttl on virtual time, the size limit, billing.</summary>
public sealed class LocalResponseCacheTests : IAsyncLifetime
{
    private const string Completion = """
        {"id":"chatcmpl-c1","object":"chat.completion","created":1764000000,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"cached words"},"finish_reason":"stop"}],"usage":{"prompt_tokens":30,"completion_tokens":10,"total_tokens":40}}
        """;
    private const string Chat = """{"model":"gpt","messages":[{"role":"user","content":"tell me a joke"}],"temperature":0.2}""";

    private readonly FakeTime _time = new();
    private FakeUpstream _upstream = null!;
    private TestGateway _gateway = null!;
    private int _stores;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        _upstream.RespondJson(Completion);
        _gateway = await TestGateway.StartAsync(OpenAiDeploymentYaml.Of("gpt", _upstream, "", "input_cost_per_token: 0.001", "output_cost_per_token: 0.002"), """
            litellm_settings:
              cache: true
              cache_params: { type: local, ttl: 60, max_size_per_item: 2 }
            """, _time);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private async Task<(HttpResponseMessage Response, string Body)> ChatAsync(string body = Chat)
    {
        var response = await _gateway.PostJsonAsync("/v1/chat/completions", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return (response, text);
    }

    // A miss is stored after its client has the answer (off the client's path, as LiteLLM's async cache set): wait for
    // the store before moving virtual time or expecting a hit, or the entry's clock could start after the move.
    private async Task<(HttpResponseMessage Response, string Body)> MissAsync(string body = Chat)
    {
        var answer = await ChatAsync(body);
        var stores = $"edgegw_cache_stores_total {++_stores}.0\n";
        for (var i = 0; i < 500; i++)
        {
            if ((await _gateway.Client.GetStringAsync("/metrics")).Contains(stores, StringComparison.Ordinal))
                return answer;
            await Task.Delay(10);
        }
        throw new TimeoutException($"the cache never counted {_stores} stores");
    }

    private static string? CacheKey(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-litellm-cache-key", out var values) ? values.Single() : null;

    [Fact]
    public async Task SameRequestTwice_SecondAnsweredFromCacheWithItsKey()
    {
        var (first, firstBody) = await MissAsync();
        var (second, secondBody) = await ChatAsync();

        Assert.Single(_upstream.Requests);
        Assert.Equal(firstBody, secondBody);
        Assert.Null(CacheKey(first));
        Assert.Matches("^[0-9a-f]{64}$", CacheKey(second));
    }

    [Fact]
    public async Task DifferentTemperatureOrModelParams_Miss()
    {
        await ChatAsync();
        await ChatAsync(Chat.Replace("0.2", "0.3", StringComparison.Ordinal));
        await ChatAsync(Chat.Replace("}]", "}],\"max_tokens\":5", StringComparison.Ordinal));

        Assert.Equal(3, _upstream.Requests.Count);
    }

    [Fact]
    public async Task MetadataAndUserKey_NotPartOfTheKey()
    {
        await MissAsync();
        var (hit, _) = await ChatAsync(Chat.Replace("}]", "}],\"metadata\":{\"run\":\"b\"}", StringComparison.Ordinal));

        Assert.Single(_upstream.Requests);
        Assert.NotNull(CacheKey(hit));
    }

    [Fact]
    public async Task CacheControlsStripped_NotSentUpstream()
    {
        await ChatAsync(Chat.Replace("}]", "}],\"cache\":{\"ttl\":30}", StringComparison.Ordinal));

        Assert.False(_upstream.LastRequest.Json().RootElement.TryGetProperty("cache", out _));
    }

    [Fact]
    public async Task NoCache_SkipsTheLookupButStores()
    {
        await MissAsync();
        await MissAsync(Chat.Replace("}]", "}],\"cache\":{\"no-cache\":true}", StringComparison.Ordinal));
        Assert.Equal(2, _upstream.Requests.Count);
        await ChatAsync();
        Assert.Equal(2, _upstream.Requests.Count);
    }

    [Fact]
    public async Task NoStore_AnswerNotKept()
    {
        await ChatAsync(Chat.Replace("}]", "}],\"cache\":{\"no-store\":true}", StringComparison.Ordinal));
        await ChatAsync();

        Assert.Equal(2, _upstream.Requests.Count);
    }

    [Fact]
    public async Task ConfigTtl_EntryExpiresOnVirtualTime()
    {
        await MissAsync();
        _time.Advance(TimeSpan.FromSeconds(59));
        await ChatAsync();
        Assert.Single(_upstream.Requests);
        _time.Advance(TimeSpan.FromSeconds(2));
        await ChatAsync();
        Assert.Equal(2, _upstream.Requests.Count);
    }

    [Fact]
    public async Task RequestTtl_OverridesTheConfigs()
    {
        await MissAsync(Chat.Replace("}]", "}],\"cache\":{\"ttl\":5}", StringComparison.Ordinal));
        _time.Advance(TimeSpan.FromSeconds(6));
        await ChatAsync();

        Assert.Equal(2, _upstream.Requests.Count);
    }

    [Fact]
    public async Task SMaxAge_RefusesOlderEntries()
    {
        await MissAsync();
        _time.Advance(TimeSpan.FromSeconds(20));
        await ChatAsync(Chat.Replace("}]", "}],\"cache\":{\"s-maxage\":30}", StringComparison.Ordinal));
        Assert.Single(_upstream.Requests);
        await ChatAsync(Chat.Replace("}]", "}],\"cache\":{\"s-maxage\":10}", StringComparison.Ordinal));
        Assert.Equal(2, _upstream.Requests.Count);
    }

    [Fact]
    public async Task RequestNamespace_KeyedApartWithItsPrefix()
    {
        await MissAsync();
        var (other, _) = await MissAsync(Chat.Replace("}]", "}],\"cache\":{\"namespace\":\"team-a\"}", StringComparison.Ordinal));
        var (hit, _) = await ChatAsync(Chat.Replace("}]", "}],\"cache\":{\"namespace\":\"team-a\"}", StringComparison.Ordinal));

        Assert.Equal(2, _upstream.Requests.Count);
        Assert.Null(CacheKey(other));
        Assert.StartsWith("team-a:", CacheKey(hit), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnswerOverSizeLimit_NotCached()
    {
        var big = Completion.Replace("cached words", new string('x', 3000), StringComparison.Ordinal);
        _upstream.RespondJson(big);
        var (_, first) = await ChatAsync();
        var (_, second) = await ChatAsync();

        Assert.Equal(2, _upstream.Requests.Count);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Hit_BilledZeroWithCacheHitInSpendLog()
    {
        await MissAsync();
        var (hit, _) = await ChatAsync();

        var id = hit.Headers.GetValues("x-litellm-call-id").Single();
        var row = (await _gateway.GetAdminAsync($"/spend/logs?request_id={id}"))[0];
        Assert.Equal("True", row.GetProperty("cache_hit").GetString());
        Assert.Equal(CacheKey(hit), row.GetProperty("cache_key").GetString());
        Assert.Equal(0m, row.GetProperty("spend").GetDecimal());
        Assert.Equal((30, 10), (row.GetProperty("prompt_tokens").GetInt32(), row.GetProperty("completion_tokens").GetInt32()));
    }

    [Fact]
    public async Task Miss_SpendLogCarriesTheKeyItWasStoredUnder()
    {
        var (miss, _) = await MissAsync();
        var (hit, _) = await ChatAsync();

        // As LiteLLM: with the cache on, every row names the request's cache key; only the hit says cache_hit.
        var id = miss.Headers.GetValues("x-litellm-call-id").Single();
        var row = (await _gateway.GetAdminAsync($"/spend/logs?request_id={id}"))[0];
        Assert.Equal(("False", hit.Headers.GetValues("x-litellm-cache-key").Single()),
            (row.GetProperty("cache_hit").GetString(), row.GetProperty("cache_key").GetString()));
    }

    [Fact]
    public async Task Hits_CountedInMetrics()
    {
        await MissAsync();
        await ChatAsync();
        var metrics = await _gateway.Client.GetStringAsync("/metrics");

        Assert.Contains("litellm_cache_hits_metric_total 1", metrics, StringComparison.Ordinal);
        Assert.Contains("litellm_cache_misses_metric_total 1", metrics, StringComparison.Ordinal);
        Assert.Contains("edgegw_cache_entries 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MockResponse_NeitherServedFromNorStoredInTheCache()
    {
        var key = await _gateway.NewKeyAsync("""{"metadata":{"allow_client_mock_response":true}}""");
        using var mocked = await _gateway.ChatAsync(key, Chat.Replace("}]", "}],\"mock_response\":\"pretend\"", StringComparison.Ordinal));
        using var real = await _gateway.ChatAsync(key, Chat);

        Assert.Contains("pretend", await mocked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("cached words", await real.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(_upstream.Requests);
    }
}
