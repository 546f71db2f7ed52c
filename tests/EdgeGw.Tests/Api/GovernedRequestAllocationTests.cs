using EdgeGw.Observability.Logging;
using EdgeGw.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace EdgeGw.Tests.Api;

/// <summary>
/// The whole governed pass-through request (key with rpm/tpm and a budget, spend row, metrics,
/// headers), and the same translated to an Anthropic deployment, as the process sees it: allocated bytes per request, client and upstream allocating
/// nothing. Issue 23's target is 2 KB; the bound is today's measurement plus a margin, so a
/// regression fails here rather than in a load run. Runs alone: the count is process-wide.
/// </summary>
[Collection(nameof(GovernedRequestAllocationTests))]
public sealed class GovernedRequestAllocationTests(ITestOutputHelper output)
{
    private const string Answer = """{"id":"chatcmpl-load","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello there, nice to meet you."},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":9,"total_tokens":21}}""";
    private const string Body = """{"model":"gpt","messages":[{"role":"user","content":"Say hello in one short sentence."}]}""";

    /// <summary>
    /// Measured 1.80–1.87 KB on 2026-12-02 with the endpoint's state out of the run and routing options shared when the
    /// request has none (2.01–2.03 KB before). Measured 2.04–2.07 KB on 2026-12-01 with pooled body writers and the row as the spend writer's work item; 2.12–2.22 KB with the connection's receive loop; 2.11–2.23 KB with pooled request deadlines (2.38–2.45 KB before; 7.9 KB before pooled builders, cached strings, no DI scope, the Pipelines upstream
    /// client; 2.9–3.4 KB before the dispatcher's pooled ValueTask, the pooled call cancellation and the flush without a token);
    /// with the request log on, the same since its line is written without a string (+0.4–0.7 KB before).
    /// </summary>
    private const double BytesPerRequestBound = 2_200;

    /// <summary>
    /// 32 connections at once, as load/knobs.sh measures: every async method suspended while the upstream answers
    /// holds a state-machine box, which the runtime's pooling builder (one per thread, one per core) had to allocate for
    /// most of 32 requests in flight; EdgeGw's own builder keeps enough. Measured 1.83–1.85 KB on 2026-12-02 (2.01–2.06 KB before
    /// the run shrank). Measured 2.20–2.28 KB on 2026-12-01 (2.46–2.48 KB before pooled deadlines) with the
    /// test host's 32 client threads on 2 cores (3.2–3.4 KB with the runtime's builder, 3.6–4.4 KB before the async levels
    /// were cut); 2.05–2.06 KB with pooled body writers, 2.14–2.20 KB since each upstream connection reads through its own receive loop into a Pipe (StreamPipeReader's
    /// read box, the runtime's, missed at 32 in flight).
    /// </summary>
    private const double ConcurrentBytesPerRequestBound = 2_200;
    private const int Connections = 32;

    /// <summary>
    /// An OpenAI client on an Anthropic deployment (request and answer translated), 1 or 32 connections. Measured 3.12–3.15 KB on
    /// 2026-12-02 (3.29–3.36 KB before the run shrank); 3.46–3.51 KB
    /// and 3.43–3.51 KB on 2026-12-01 with the translators' per-thread JSON writer (3.62–3.72 KB before it, 3.82–3.96 KB before
    /// pooled deadlines and attempt sources; 4.19–4.37 and 4.71–4.82 KB with the runtime's builder and linked token sources).
    /// </summary>
    private const double TranslatedBytesPerRequestBound = 3_500;
    private const string AnthropicAnswer = """{"id":"msg_1","type":"message","role":"assistant","model":"claude-3-5-haiku-20241022","content":[{"type":"text","text":"Hello there, nice to meet you."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":9}}""";

    /// <param name="requestLog">The request line on, through EdgeGw's console logger (the default) into a null stream.</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GovernedPassThroughRequest_AllocatesUnderItsBudget(bool requestLog)
    {
        await using var setup = await GovernedGateway.StartAsync(requestLog);

        var least = OneConnection(setup, "\"model\":\"gpt\""); // the client's name spliced back in

        Assert.True(least <= BytesPerRequestBound, $"{least:0} B allocated per governed request (bound {BytesPerRequestBound:0} B)");
    }

    [Fact]
    public async Task GovernedPassThroughAt32Connections_AllocatesUnderItsBudget()
    {
        await using var setup = await GovernedGateway.StartAsync(requestLog: true);

        var least = AtOnce(setup);

        Assert.True(least <= ConcurrentBytesPerRequestBound,
            $"{least:0} B allocated per governed request at {Connections} connections (bound {ConcurrentBytesPerRequestBound:0} B)");
    }

    [Fact]
    public async Task GovernedTranslatedRequest_AllocatesUnderItsBudget()
    {
        await using var setup = await GovernedGateway.StartAsync(requestLog: true, anthropic: true);

        var least = OneConnection(setup, "\"chat.completion\""); // Anthropic's message, answered in OpenAI's format

        Assert.True(least <= TranslatedBytesPerRequestBound, $"{least:0} B allocated per translated request (bound {TranslatedBytesPerRequestBound:0} B)");
    }

    [Fact]
    public async Task GovernedTranslatedAt32Connections_AllocatesUnderItsBudget()
    {
        await using var setup = await GovernedGateway.StartAsync(requestLog: true, anthropic: true);

        var least = AtOnce(setup);

        Assert.True(least <= TranslatedBytesPerRequestBound,
            $"{least:0} B allocated per translated request at {Connections} connections (bound {TranslatedBytesPerRequestBound:0} B)");
    }

    /// <summary>Bytes per request on one connection, after its answer is checked and a warm-up.</summary>
    private double OneConnection(GovernedGateway setup, string answered)
    {
        using var client = setup.Connect();
        Assert.Equal(200, client.Send());
        Assert.Contains(answered, client.Last, StringComparison.Ordinal);
        Assert.Contains("x-ratelimit-remaining-requests:", client.Last, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("x-litellm-response-cost:", client.Last, StringComparison.OrdinalIgnoreCase);

        const int requests = 4_000;
        for (var i = 0; i < 3_000; i++)
            Assert.Equal(200, client.Send()); // warm-up: tiered JIT, pools at their working size, connections made
        return LeastOfThreeRounds(requests, () => CountOk(client, requests));
    }

    /// <summary>Bytes per request with <see cref="Connections"/> connections sending at once.</summary>
    private double AtOnce(GovernedGateway setup)
    {
        var clients = new List<RawKeepAlive.Client>();
        try
        {
            for (var c = 0; c < Connections; c++)
                clients.Add(setup.Connect());
            const int perConnection = 250;
            Assert.Equal(Connections * 100, RunConcurrently(clients, 100)); // warm-up, as above, on every connection
            return LeastOfThreeRounds(Connections * perConnection, () => RunConcurrently(clients, perConnection));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    /// <summary>
    /// The least of three rounds of <paramref name="requests"/>, in bytes per request: a per-request allocation shows in
    /// every round, a one-off (a background flush, a timer) in one only.
    /// </summary>
    private double LeastOfThreeRounds(int requests, Func<int> round)
    {
        var least = double.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var ok = round();
            var perRequest = (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)requests;
            Assert.Equal(requests, ok);
            output.WriteLine($"round {i}: {perRequest:0} B/request");
            least = Math.Min(least, perRequest);
        }
        return least;
    }

    private static int CountOk(RawKeepAlive.Client client, int requests)
    {
        var ok = 0;
        for (var i = 0; i < requests; i++)
            ok += client.Send() == 200 ? 1 : 0;
        return ok;
    }

    // One blocking thread per connection (the raw client allocates nothing per request); the 200s counted.
    private static int RunConcurrently(List<RawKeepAlive.Client> clients, int perConnection)
    {
        var ok = 0;
        var threads = clients.Select(c => new Thread(() => Interlocked.Add(ref ok, CountOk(c, perConnection)))).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        return ok;
    }

    /// <summary>The gateway with one OpenAI (or Anthropic) deployment on a raw upstream, and a governed key (rpm/tpm and a budget).</summary>
    private sealed class GovernedGateway(RawKeepAlive.Upstream upstream, TestGateway gateway, string key, ConsoleLoggerProvider console) : IAsyncDisposable
    {
        public static async Task<GovernedGateway> StartAsync(bool requestLog, bool anthropic = false)
        {
            var upstream = new RawKeepAlive.Upstream(RawKeepAlive.JsonAnswer(anthropic ? AnthropicAnswer : Answer));
            var console = new ConsoleLoggerProvider(json: false, Stream.Null);
            var gateway = await TestGateway.StartAsync($"""
                - model_name: gpt
                  litellm_params:
                    model: {(anthropic ? "anthropic/claude-3-5-haiku-20241022" : "openai/gpt-4o-mini")}
                    api_base: http://127.0.0.1:{upstream.Port}{(anthropic ? "" : "/v1")}
                    api_key: sk-upstream
                """, logging: requestLog ? l => l.AddProvider(console) : null);
            var key = await gateway.NewKeyAsync("""{"rpm_limit":100000000,"tpm_limit":2000000000,"max_budget":1000000}""");
            return new GovernedGateway(upstream, gateway, key, console);
        }

        public RawKeepAlive.Client Connect() => new(gateway.BaseAddress.Port, RawKeepAlive.Post("/v1/chat/completions", key, Body));

        public async ValueTask DisposeAsync()
        {
            await gateway.DisposeAsync();
            upstream.Dispose();
            console.Dispose();
        }
    }
}

[CollectionDefinition(nameof(GovernedRequestAllocationTests), DisableParallelization = true)]
public sealed class GovernedRequestAllocationCollection;
