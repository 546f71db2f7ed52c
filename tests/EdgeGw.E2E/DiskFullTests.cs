using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace EdgeGw.E2E;

/// <summary>
/// A real full filesystem under the native binary: the database lives on a small tmpfs that is
/// filled, then freed. Needs root (mount); without it the test fails saying so, never skips silently.
/// </summary>
public sealed class DiskFullTests
{
    private static string Config => PersistenceTests.Config;

    private static StringContent Json(string json) => PersistenceTests.Json(json);

    private static void Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        Assert.True(process.WaitForExit(10_000), $"{file} did not finish");
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} failed (needs root): {process.StandardError.ReadToEnd()}");
    }

    [Fact]
    public async Task FullFilesystem_RefusesPastTheBoundThenEveryServedRowLandsAndSurvivesRestart()
    {
        var mount = Path.Combine(Path.GetTempPath(), "edgegw-e2e-full-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(mount);
        Run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount);
        try
        {
            var db = Path.Combine(mount, "edgegw.db");
            var environment = new Dictionary<string, string> { ["EDGEGW_SPEND_QUEUE_ROWS"] = "40" };
            var dir = GatewayProcess.NewFolderWithBinary();
            string key;
            var served = 0;
            await using (var gateway = await GatewayProcess.StartAsync(Config, dir, environment, "--db", db))
            {
                using var generated = await gateway.Client.PostAsync("/key/generate", Json("""{"max_budget":1000}"""));
                Assert.Equal(HttpStatusCode.OK, generated.StatusCode);
                key = JsonDocument.Parse(await generated.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;
                using var client = new HttpClient { BaseAddress = gateway.Client.BaseAddress };
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

                var filler = Path.Combine(mount, "filler");
                await using (var fill = File.Create(filler))
                {
                    var chunk = new byte[64 * 1024];
                    try
                    {
                        for (var i = 0; i < 1024; i++)
                            await fill.WriteAsync(chunk);
                        await fill.FlushAsync();
                    }
                    catch (IOException)
                    {
                        // The filesystem is full: what this test wants.
                    }
                }

                HttpResponseMessage? refused = null;
                for (var i = 0; i < 2000 && refused is null; i++)
                {
                    var chat = await client.PostAsync("/v1/chat/completions", Json("""{"model":"priced","messages":[{"role":"user","content":"hi"}]}"""));
                    if (chat.StatusCode == HttpStatusCode.OK)
                    {
                        served++;
                        chat.Dispose();
                    }
                    else
                    {
                        refused = chat;
                    }
                }
                Assert.NotNull(refused);
                using (refused)
                {
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
                    var message = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("message").GetString();
                    Assert.StartsWith("Spend cannot be recorded", message, StringComparison.Ordinal);
                }
                Assert.Contains("edgegw_spend_refusals_total 1", await gateway.Client.GetStringAsync("/metrics"), StringComparison.Ordinal);
                // A batch that fits the database's free pages can still land while the disk is full and
                // clear the failing state until the next one fails: readiness is asserted within 2 s, not at one instant.
                var readiness = HttpStatusCode.OK;
                for (var i = 0; i < 20 && readiness != HttpStatusCode.ServiceUnavailable; i++)
                {
                    using var ready = await gateway.Client.GetAsync("/health/readiness");
                    readiness = ready.StatusCode;
                    if (readiness != HttpStatusCode.ServiceUnavailable)
                        await Task.Delay(100);
                }
                Assert.Equal(HttpStatusCode.ServiceUnavailable, readiness);

                File.Delete(filler);
                var drained = false;
                for (var i = 0; i < 200 && !drained; i++)
                {
                    await Task.Delay(100);
                    drained = (await gateway.Client.GetStringAsync("/metrics")).Contains("edgegw_spend_queued_rows 0.0\n", StringComparison.Ordinal);
                }
                Assert.True(drained, "the queued spend rows never landed after the filesystem was freed: " + string.Join('\n', (await gateway.Client.GetStringAsync("/metrics")).Split('\n').Where(l => l.StartsWith("edgegw_spend", StringComparison.Ordinal))));
                gateway.Signal(15);
                Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            }

            await using var restarted = await GatewayProcess.StartAsync(Config, dir, environment, "--db", db);
            var logs = JsonDocument.Parse(await restarted.Client.GetStringAsync($"/spend/logs?api_key={Uri.EscapeDataString(key)}")).RootElement;
            Assert.Equal(served, logs.GetArrayLength());
            var sum = logs.EnumerateArray().Sum(r => r.GetProperty("spend").GetDecimal());
            var spend = JsonDocument.Parse(await restarted.Client.GetStringAsync($"/key/info?key={Uri.EscapeDataString(key)}"))
                .RootElement.GetProperty("info").GetProperty("spend").GetDecimal();
            Assert.True(sum > 0);
            Assert.Equal(sum, spend);
        }
        finally
        {
            Run("umount", "-l", mount);
            Directory.Delete(mount);
        }
    }
}
