using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace EdgeGw.E2E;

/// <summary>Signals to the native binary: SIGTERM drains, SIGKILL loses at most the last moments.</summary>
public sealed class ShutdownTests
{
    private const string Words = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen " +
        "sixteen seventeen eighteen nineteen twenty twentyone twentytwo twentythree twentyfour twentyfive";

    private static string Config(string extra = "", int graceSeconds = 30) => $"""
        model_list:
          - model_name: slow
            litellm_params:
              model: mock/slow
              mock_response: "{Words}"
              mock_tokens_per_second: 10
              input_cost_per_token: 0.001
              output_cost_per_token: 0.002
          - model_name: fast
            litellm_params:
              model: mock/fast
              mock_response: "ok"
              input_cost_per_token: 0.001
              output_cost_per_token: 0.002
        general_settings:
          master_key: {GatewayProcess.MasterKey}
          graceful_shutdown_seconds: {graceSeconds}
        {extra}
        """;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<int> SpendRowsAsync(GatewayProcess gateway, string requestId)
    {
        using var response = await gateway.Client.GetAsync($"/spend/logs?request_id={Uri.EscapeDataString(requestId)}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetArrayLength();
    }

    private static async Task<bool> RefusesNewConnectionAsync(int port)
    {
        using var fresh = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            using var response = await fresh.GetAsync(new Uri($"http://127.0.0.1:{port}/health/liveliness"));
            return false;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return true;
        }
    }

    [Fact]
    public async Task SigtermMidStream_StreamCompletesExitsZeroAndSpendIsStored()
    {
        var gateway = await GatewayProcess.StartAsync(Config(), GatewayProcess.NewFolderWithBinary()); // outlives this gateway: the restart below reads its database
        string callId;
        string rest;
        await using (gateway)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = Json("""{"model":"slow","stream":true,"messages":[{"role":"user","content":"hi"}]}"""),
            };
            using var response = await gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            callId = response.Headers.GetValues("x-litellm-call-id").Single();
            var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            Assert.StartsWith("data: ", await reader.ReadLineAsync());

            var signalled = System.Diagnostics.Stopwatch.StartNew();
            gateway.Signal(15);
            var readRest = reader.ReadToEndAsync();
            // The listener closes while the stream (2.5 s of tokens) is still being sent.
            var refused = false;
            while (!readRest.IsCompleted && !(refused = await RefusesNewConnectionAsync(gateway.Port)))
                await Task.Delay(50);
            rest = await readRest;
            Assert.True(refused, "a new connection was still accepted until the in-flight stream ended");
            Assert.EndsWith("data: [DONE]\n\n", rest, StringComparison.Ordinal);
            Assert.Contains("twentyfive", rest, StringComparison.Ordinal);
            Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Console.WriteLine($"METRIC sigterm_drain_stream_to_exit_ms={signalled.ElapsedMilliseconds}");
            Assert.Contains("shutdown: no longer accepting", gateway.Stdout, StringComparison.Ordinal);
        }

        await using var restarted = await GatewayProcess.StartAsync(Config(), gateway.Directory);
        Assert.Equal(1, await SpendRowsAsync(restarted, callId));
    }

    [Fact]
    public async Task SigtermWithStreamLongerThanDrainTimeout_AbortsItExitsZeroAndStoresItsRow()
    {
        var gateway = await GatewayProcess.StartAsync(Config(graceSeconds: 1), GatewayProcess.NewFolderWithBinary()); // outlives this gateway: the restart reads its database
        string callId;
        await using (gateway)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = Json("""{"model":"slow","stream":true,"messages":[{"role":"user","content":"hi"}]}"""),
            };
            using var response = await gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            callId = response.Headers.GetValues("x-litellm-call-id").Single();
            var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            Assert.StartsWith("data: ", await reader.ReadLineAsync());

            var signalled = System.Diagnostics.Stopwatch.StartNew();
            gateway.Signal(15);
            string rest;
            try
            {
                rest = await reader.ReadToEndAsync();
            }
            catch (IOException)
            {
                rest = ""; // the connection was aborted mid-body
            }
            Assert.DoesNotContain("[DONE]", rest, StringComparison.Ordinal);
            Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Console.WriteLine($"METRIC sigterm_drain_timeout_1s_to_exit_ms={signalled.ElapsedMilliseconds}");
        }

        await using var restarted = await GatewayProcess.StartAsync(Config(), gateway.Directory);
        Assert.Equal(1, await SpendRowsAsync(restarted, callId));
    }

    [Fact]
    public async Task SigkillUnderLoad_ReportsHowManyAcknowledgedSpendRowsSurvive()
    {
        const int target = 400;
        var gateway = await GatewayProcess.StartAsync(Config(), GatewayProcess.NewFolderWithBinary()); // outlives this gateway: the restart below reads its database
        var acknowledged = new ConcurrentQueue<string>();
        await using (gateway)
        {
            using var stop = new CancellationTokenSource();
            var workers = Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        using var response = await gateway.Client.PostAsync("/v1/chat/completions",
                            Json("""{"model":"fast","messages":[{"role":"user","content":"hi"}]}"""), stop.Token);
                        await response.Content.ReadAsByteArrayAsync(stop.Token);
                        if (response.StatusCode == HttpStatusCode.OK)
                            acknowledged.Enqueue(response.Headers.GetValues("x-litellm-call-id").Single());
                    }
                    catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                    {
                        return;
                    }
                }
            })).ToArray();
            // At least a second of traffic: many coalescing windows, so what a SIGKILL may lose (the
            // last window or two) is not everything. With only ~100 ms of load on a starved 2-core
            // box, the writer's first window had not committed yet in one CI run (0 of 466).
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while ((acknowledged.Count < target || clock.Elapsed < TimeSpan.FromSeconds(1)) && clock.Elapsed < TimeSpan.FromSeconds(30))
                await Task.Delay(5);
            gateway.Signal(9); // under load: the workers are still sending
            await stop.CancelAsync();
            await Task.WhenAll(workers);
            Assert.Equal(137, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        }

        var ids = acknowledged.ToArray();
        await using var restarted = await GatewayProcess.StartAsync(Config(), gateway.Directory);
        using var logs = await restarted.Client.GetAsync("/spend/logs?limit=100000");
        Assert.Equal(HttpStatusCode.OK, logs.StatusCode);
        var stored = JsonDocument.Parse(await logs.Content.ReadAsStringAsync()).RootElement.EnumerateArray()
            .Select(row => row.GetProperty("request_id").GetString()).ToHashSet();
        var survived = ids.Count(stored.Contains);
        Console.WriteLine($"METRIC sigkill_spend_rows_survived={survived}/{ids.Length} ({100.0 * survived / ids.Length:0.0}%)");
        Assert.InRange(survived, 1, ids.Length);
    }
}
