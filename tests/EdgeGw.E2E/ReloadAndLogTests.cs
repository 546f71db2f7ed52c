using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace EdgeGw.E2E;

/// <summary>SIGHUP reloads the config file; json_logs writes one JSON object per line.</summary>
public sealed class ReloadAndLogTests
{
    private static string Config(string models, string extra = "") => $"""
        model_list:
        {models}
        general_settings:
          master_key: {GatewayProcess.MasterKey}
        {extra}
        """;

    private const string First = """
          - model_name: first
            litellm_params:
              model: mock/first
              mock_response: "from first"
        """;

    private const string Second = """
          - model_name: second
            litellm_params:
              model: mock/second
              mock_response: "from second"
        """;

    private static async Task<string[]> ModelsAsync(GatewayProcess gateway)
    {
        using var response = await gateway.Client.GetAsync("/v1/models");
        var data = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data");
        return [.. data.EnumerateArray().Select(m => m.GetProperty("id").GetString()!)];
    }

    private static async Task WaitForOutputAsync(GatewayProcess gateway, string text)
    {
        var clock = Stopwatch.StartNew();
        while (!(gateway.Stdout + gateway.Stderr).Contains(text, StringComparison.Ordinal))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"no '{text}' in the output:\n{gateway.Stdout}{gateway.Stderr}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Sighup_AddsModelFromRewrittenFile()
    {
        await using var gateway = await GatewayProcess.StartAsync(Config(First));
        Assert.Equal(["first"], await ModelsAsync(gateway));

        await File.WriteAllTextAsync(Path.Combine(gateway.Directory, "config.yaml"), Config(First + "\n" + Second));
        gateway.Signal(1);
        await WaitForOutputAsync(gateway, "config reload: config.yaml loaded (2 deployments)");

        Assert.Equal(["first", "second"], await ModelsAsync(gateway));
        using var response = await gateway.Client.PostAsync("/v1/chat/completions",
            new StringContent("""{"model":"second","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
        Assert.Contains("from second", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SighupUnderLoad_DropsNoRequestOrStream()
    {
        const string slow = """
              - model_name: first
                litellm_params:
                  model: mock/first
                  mock_response: "one two three four five six seven eight"
                  mock_tokens_per_second: 200
            """;
        await using var gateway = await GatewayProcess.StartAsync(Config(slow));
        var failures = new List<string>();
        var completed = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));

        async Task WorkerAsync(bool stream)
        {
            var body = stream
                ? """{"model":"first","stream":true,"messages":[{"role":"user","content":"hi"}]}"""
                : """{"model":"first","messages":[{"role":"user","content":"hi"}]}""";
            while (!stop.IsCancellationRequested)
            {
                using var response = await gateway.Client.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
                var text = await response.Content.ReadAsStringAsync();
                var ok = response.StatusCode == HttpStatusCode.OK && (!stream || text.EndsWith("data: [DONE]\n\n", StringComparison.Ordinal));
                lock (failures)
                {
                    if (ok)
                        completed++;
                    else
                        failures.Add($"{(int)response.StatusCode}: {text}");
                }
            }
        }

        var workers = Enumerable.Range(0, 8).Select(i => Task.Run(() => WorkerAsync(stream: i % 2 == 0))).ToList();
        // Reload repeatedly while requests and streams are in flight, alternating between two files.
        for (var i = 0; i < 6; i++)
        {
            await Task.Delay(300);
            await File.WriteAllTextAsync(Path.Combine(gateway.Directory, "config.yaml"), Config(i % 2 == 0 ? slow + "\n" + Second : slow));
            gateway.Signal(1);
        }
        await Task.WhenAll(workers);

        Assert.Empty(failures);
        Assert.True(completed > 20, $"only {completed} requests completed");
        Console.WriteLine($"METRIC reload_under_load_completed={completed} failures={failures.Count} reloads=6");
    }

    [Fact]
    public async Task SighupWithInvalidFile_KeepsServingOldModels()
    {
        await using var gateway = await GatewayProcess.StartAsync(Config(First));

        await File.WriteAllTextAsync(Path.Combine(gateway.Directory, "config.yaml"), Config("""
              - model_name: second
                litellm_params:
                  model: nope/second
            """));
        gateway.Signal(1);
        await WaitForOutputAsync(gateway, "config reload: config.yaml rejected");

        Assert.Contains("model_list[0].litellm_params.model", gateway.Stdout, StringComparison.Ordinal);
        Assert.Equal(["first"], await ModelsAsync(gateway));
        using var response = await gateway.Client.PostAsync("/v1/chat/completions",
            new StringContent("""{"model":"first","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task JsonLogs_WritesOneJsonRequestLineWithoutKeys()
    {
        await using var gateway = await GatewayProcess.StartAsync(Config(First, """
            litellm_settings:
              json_logs: true
            """));
        using var response = await gateway.Client.PostAsync("/v1/chat/completions",
            new StringContent("""{"model":"first","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
        var callId = response.Headers.GetValues("x-litellm-call-id").Single();
        await WaitForOutputAsync(gateway, callId);

        var lines = gateway.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // Every log line is JSON; only the start-up banner ("EdgeGw … listening on …") is plain text.
        Assert.All(lines.Where(l => !l.StartsWith("EdgeGw ", StringComparison.Ordinal)), l => Assert.StartsWith("{", l, StringComparison.Ordinal));
        var request = lines.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement)
            .Single(l => l.GetProperty("Category").GetString() == "EdgeGw.Requests");
        var state = request.GetProperty("State");
        Assert.Equal(callId, state.GetProperty("CallId").GetString());
        Assert.Equal("first", state.GetProperty("ModelGroup").GetString());
        Assert.Equal("200", state.GetProperty("Status").ToString());
        Assert.Equal("master", state.GetProperty("KeyAlias").GetString());
        Assert.DoesNotContain(GatewayProcess.MasterKey, gateway.Stdout + gateway.Stderr, StringComparison.Ordinal);
    }
}
