using EdgeGw.Observability.Logging;
using EdgeGw.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace EdgeGw.Tests.Api;

/// <summary>
/// The whole governed pass-through request (key with rpm/tpm and a budget, spend row, metrics,
/// headers) as the process sees it: allocated bytes per request, client and upstream allocating
/// nothing. Issue 23's target is 2 KB; the bound is today's measurement plus a margin, so a
/// regression fails here rather than in a load run. Runs alone: the count is process-wide.
/// </summary>
[Collection(nameof(GovernedRequestAllocationTests))]
public sealed class GovernedRequestAllocationTests(ITestOutputHelper output)
{
    private const string Answer = """{"id":"chatcmpl-load","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello there, nice to meet you."},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":9,"total_tokens":21}}""";
    private const string Body = """{"model":"gpt","messages":[{"role":"user","content":"Say hello in one short sentence."}]}""";

    /// <summary>
    /// Measured 2.9–3.4 KB on 2026-12-01 (7.9 KB before pooled builders, cached strings, no DI scope, the Pipelines upstream client);
    /// with the request log on, the same since its line is written without a string (+0.4–0.7 KB before).
    /// </summary>
    private const double BytesPerRequestBound = 3_800;

    /// <param name="requestLog">The request line on, through EdgeGw's console logger (the default) into a null stream.</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GovernedPassThroughRequest_AllocatesUnderItsBudget(bool requestLog)
    {
        using var upstream = new RawKeepAlive.Upstream(RawKeepAlive.JsonAnswer(Answer));
        using var console = new ConsoleLoggerProvider(json: false, Stream.Null);
        await using var gateway = await TestGateway.StartAsync($"""
            - model_name: gpt
              litellm_params:
                model: openai/gpt-4o-mini
                api_base: http://127.0.0.1:{upstream.Port}/v1
                api_key: sk-upstream
            """, logging: requestLog ? l => l.AddProvider(console) : null);
        var key = await gateway.NewKeyAsync("""{"rpm_limit":100000000,"tpm_limit":2000000000,"max_budget":1000000}""");
        using var client = new RawKeepAlive.Client(gateway.BaseAddress.Port, RawKeepAlive.Post("/v1/chat/completions", key, Body));

        Assert.Equal(200, client.Send());
        Assert.Contains("\"model\":\"gpt\"", client.Last, StringComparison.Ordinal); // the client's name spliced back in
        Assert.Contains("x-ratelimit-remaining-requests:", client.Last, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("x-litellm-response-cost:", client.Last, StringComparison.OrdinalIgnoreCase);

        const int requests = 4_000;
        for (var i = 0; i < 3_000; i++)
            Assert.Equal(200, client.Send()); // warm-up: tiered JIT, pools at their working size, connections made
        // The least of three rounds: a per-request allocation shows in every round, a one-off (a
        // background flush, a timer) in one only.
        var least = double.MaxValue;
        for (var round = 0; round < 3; round++)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var ok = 0;
            for (var i = 0; i < requests; i++)
                ok += client.Send() == 200 ? 1 : 0;
            var perRequest = (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)requests;
            Assert.Equal(requests, ok);
            output.WriteLine($"round {round}: {perRequest:0} B/request");
            least = Math.Min(least, perRequest);
        }

        Assert.True(least <= BytesPerRequestBound, $"{least:0} B allocated per governed request (bound {BytesPerRequestBound:0} B)");
    }
}

[CollectionDefinition(nameof(GovernedRequestAllocationTests), DisableParallelization = true)]
public sealed class GovernedRequestAllocationCollection;
