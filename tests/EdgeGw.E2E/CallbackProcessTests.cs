using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.E2E;

/// <summary>A generic_api webhook that stops answering for 30 s, seen from the native binary: requests, memory, /metrics, the log.</summary>
public sealed partial class CallbackProcessTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int QueueCapacity = 20;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);

    private const string Answer = """
        {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}
        """;

    [GeneratedRegex("""^edgegw_callback_(dropped_total|queued)\{callback="hook"\} (\d+)""", RegexOptions.Multiline)]
    private static partial Regex CallbackSeries();

    private static async Task<(long Dropped, long Queued)> CallbackMetricsAsync(GatewayProcess gateway)
    {
        var text = await gateway.Client.GetStringAsync("/metrics");
        var series = CallbackSeries().Matches(text).ToDictionary(m => m.Groups[1].Value, m => long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        return (series.GetValueOrDefault("dropped_total", -1), series.GetValueOrDefault("queued", -1));
    }

    private static async Task<(TimeSpan Took, string CallId)> ChatAsync(GatewayProcess gateway)
    {
        var clock = Stopwatch.StartNew();
        using var response = await gateway.Client.PostAsync("/v1/chat/completions",
            new StringContent("""{"model":"gpt","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
        var took = clock.Elapsed;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (took, response.Headers.GetValues("x-litellm-call-id").Single());
    }

    private static long RssKb(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    private static double Median(List<TimeSpan> times) => times.Order().ElementAt(times.Count / 2).TotalMilliseconds;

    private static int DropLines(string output) => Regex.Matches(output, "callback hook: [0-9]+ events dropped").Count;

    private static bool Received(FakeUpstream sink, string id) =>
        sink.Requests.Any(r => r.Body.Length > 0 && JsonDocument.Parse(r.Body).RootElement.EnumerateArray().Any(p => p.GetProperty("id").GetString() == id));

    [Fact]
    public async Task WebhookHangsFor30Seconds_RequestsUnslowedQueueBoundedDropsCountedLaterEventsArrive()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(Answer);
        await using var sink = await FakeUpstream.StartAsync();
        var down = false;
        var recovered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Down = accepts the connection and never answers (the worst case: the worker's send waits for its timeout).
        sink.Handle(async (c, _) =>
        {
            if (Volatile.Read(ref down))
                await recovered.Task.WaitAsync(c.RequestAborted);
            c.Response.StatusCode = 200;
        });
        var environment = new Dictionary<string, string> { ["MAX_SIZE_IN_MEMORY_QUEUE"] = QueueCapacity.ToString(CultureInfo.InvariantCulture) };
        await using var gateway = await GatewayProcess.StartAsync($"""
            model_list:
              - model_name: gpt
                litellm_params: {"{"} model: openai/gpt-4o, api_base: "{upstream.Url}/v1", api_key: sk-provider-secret {"}"}
            general_settings:
              master_key: {GatewayProcess.MasterKey}
            litellm_settings:
              callbacks: ["hook"]
            callback_settings:
              hook:
                callback_type: generic_api
                endpoint: {sink.Url}/logs
                batch_size: 5
                flush_interval: 1
            """, environment: environment);

        var before = new List<TimeSpan>();
        for (var i = 0; i < 200; i++)
            before.Add((await ChatAsync(gateway)).Took);
        var rssAtStart = RssKb(gateway.Pid);

        var during = new List<TimeSpan>();
        var maxQueued = 0L;
        var rss = new List<long>();
        // The 200 requests before can overflow the queue too when the worker lags (a busy CI box): count only the outage's drops.
        var (droppedBefore, _) = await CallbackMetricsAsync(gateway);
        Volatile.Write(ref down, true);
        var outage = Stopwatch.StartNew();
        while (outage.Elapsed < Outage)
        {
            during.Add((await ChatAsync(gateway)).Took);
            if (during.Count % 100 == 0)
            {
                maxQueued = Math.Max(maxQueued, (await CallbackMetricsAsync(gateway)).Queued);
                rss.Add(RssKb(gateway.Pid));
            }
            await Task.Delay(5);
        }
        var (droppedAtEnd, queuedAtEnd) = await CallbackMetricsAsync(gateway);
        var droppedInOutage = droppedAtEnd - droppedBefore;
        var rssAtEnd = RssKb(gateway.Pid);
        recovered.SetResult();

        var (_, afterId) = await ChatAsync(gateway);
        var log = () => gateway.Stdout + gateway.Stderr;
        for (var i = 0; i < 500 && !(Received(sink, afterId) && DropLines(log()) > 0); i++)
            await Task.Delay(20);
        output.WriteLine($"requests before: {before.Count}, p50 {Median(before):F2} ms, max {before.Max().TotalMilliseconds:F1} ms; " +
            $"during the outage: {during.Count}, p50 {Median(during):F2} ms, max {during.Max().TotalMilliseconds:F1} ms; " +
            $"queued at most {Math.Max(maxQueued, queuedAtEnd)}, dropped {droppedInOutage}; RSS {rssAtStart} → {rssAtEnd} kB ({string.Join(' ', rss)})");

        // A request that waited for the webhook would take its 10 s send timeout.
        Assert.True(during.Max() < TimeSpan.FromSeconds(5), $"slowest request during the outage {during.Max().TotalMilliseconds} ms (before it: {before.Max().TotalMilliseconds} ms)");
        Assert.True(during.Count > 500, $"only {during.Count} requests in the outage");
        Assert.InRange(Math.Max(maxQueued, queuedAtEnd), 1, QueueCapacity);
        Assert.InRange(droppedInOutage, during.Count / 2, during.Count + QueueCapacity);
        Assert.True(rssAtEnd - rssAtStart < 64 * 1024, $"RSS grew {rssAtStart} → {rssAtEnd} kB over {during.Count} requests");
        Assert.True(Received(sink, afterId), "the event of a request after recovery never reached the webhook");
        // One warning at most every 30 s (CallbackOptions.DropLogInterval): the outage and the recovery together can
        // outlast one interval, so a second line may follow the first — never one per dropped event.
        Assert.InRange(DropLines(log()), 1, 1 + (int)(outage.Elapsed / TimeSpan.FromSeconds(30)));
        Assert.DoesNotContain("sk-provider-secret", string.Concat(sink.Requests.Select(r => r.BodyText)), StringComparison.Ordinal);
    }
}
