using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.E2E;

/// <summary>
/// The review's probe on the native binary: 40 requests at once on a key with max_budget 0.001, and
/// on one with tpm_limit 500, while the upstream holds every answer until all 40 were decided.
/// </summary>
public sealed class ConcurrentBudgetTests : IAsyncLifetime
{
    private const decimal InputPrice = 0.00001m, OutputPrice = 0.00002m;
    private const string Body = """{"model":"gpt","max_tokens":10,"messages":[{"role":"user","content":"hello"}]}""";
    private static readonly int PromptEstimate = (Encoding.UTF8.GetByteCount(Body) + 3) / 4;

    private FakeUpstream _upstream = null!;
    private GatewayProcess _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        _gateway = await GatewayProcess.StartAsync($"""
            model_list:
              - model_name: gpt
                litellm_params:
                  model: openai/gpt-4o
                  api_base: {_upstream.Url}/v1
                  api_key: sk-upstream
                  input_cost_per_token: {InputPrice}
                  output_cost_per_token: {OutputPrice}
            general_settings:
              master_key: {GatewayProcess.MasterKey}
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private async Task<string> NewKeyAsync(string json)
    {
        using var response = await _gateway.Client.PostAsync("/key/generate", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;
    }

    private async Task<HttpStatusCode[]> HeldBurstAsync(string key, int count)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reached = 0;
        _upstream.Handle(async (c, _) =>
        {
            Interlocked.Increment(ref reached);
            await release.Task;
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync("""
                {"id":"c","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":10,"total_tokens":20}}
                """);
        });
        using var client = new HttpClient { BaseAddress = _gateway.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var requests = Enumerable.Range(0, count)
            .Select(_ => client.PostAsync("/v1/chat/completions", new StringContent(Body, Encoding.UTF8, "application/json")))
            .ToArray();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Volatile.Read(ref reached) + requests.Count(r => r.IsCompleted) < count && DateTime.UtcNow < deadline)
            await Task.Delay(10);
        release.SetResult();
        var responses = await Task.WhenAll(requests);
        var statuses = responses.Select(r => r.StatusCode).ToArray();
        foreach (var response in responses)
            response.Dispose();
        return statuses;
    }

    [Fact]
    public async Task FortyAtOnceOnMaxBudget0001_SpendStaysWithinOneReservation()
    {
        var key = await NewKeyAsync("""{"max_budget":0.001}""");

        var statuses = await HeldBurstAsync(key, 40);

        var admitted = statuses.Count(s => s == HttpStatusCode.OK);
        Assert.All(statuses.Where(s => s != HttpStatusCode.OK), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        using var info = await _gateway.Client.GetAsync($"/key/info?key={Uri.EscapeDataString(key)}");
        var spend = JsonDocument.Parse(await info.Content.ReadAsStringAsync()).RootElement.GetProperty("info").GetProperty("spend").GetDecimal();
        Assert.Equal(admitted * (10 * InputPrice + 10 * OutputPrice), spend);
        Assert.True(spend <= 0.001m + PromptEstimate * InputPrice + 10 * OutputPrice, $"spent {spend} on max_budget 0.001");
    }

    [Fact]
    public async Task FortyAtOnceOnTpm500_TokensStayWithinOneReservation()
    {
        var key = await NewKeyAsync("""{"tpm_limit":500}""");

        var started = System.Diagnostics.Stopwatch.StartNew();
        var statuses = await HeldBurstAsync(key, 40);

        // Real time: the bucket refills 500 a minute while the burst runs.
        var refilled = (int)Math.Ceiling(started.Elapsed.TotalMinutes * 500);
        var through = statuses.Count(s => s == HttpStatusCode.OK) * 20;
        Assert.True(through <= 500 + PromptEstimate + 10 + refilled, $"{through} tokens through tpm_limit 500 ({refilled} refilled)");
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
    }
}
