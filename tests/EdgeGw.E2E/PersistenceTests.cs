using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace EdgeGw.E2E;

/// <summary>Keys and spend in the SQLite file that is linked into the binary, across restarts.</summary>
public sealed class PersistenceTests
{
    /// <summary>One priced mock model and the master key (shared with <see cref="DiskFullTests"/>).</summary>
    internal static string Config => $"""
        model_list:
          - model_name: priced
            litellm_params:
              model: mock/priced
              mock_response: "one two three"
              input_cost_per_token: 0.001
              output_cost_per_token: 0.002
        general_settings:
          master_key: {GatewayProcess.MasterKey}
        """;

    internal static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task KeyAndSpend_SurviveRestartOfTheBinary()
    {
        var dir = GatewayProcess.NewFolderWithBinary();
        string key;
        decimal spendBefore;
        await using (var gateway = await GatewayProcess.StartAsync(Config, dir))
        {
            using var generated = await gateway.Client.PostAsync("/key/generate", Json("""{"max_budget":10,"key_alias":"e2e"}"""));
            Assert.Equal(HttpStatusCode.OK, generated.StatusCode);
            key = JsonDocument.Parse(await generated.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;

            using var client = new HttpClient { BaseAddress = gateway.Client.BaseAddress };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            for (var i = 0; i < 3; i++)
            {
                using var chat = await client.PostAsync("/v1/chat/completions", Json("""{"model":"priced","messages":[{"role":"user","content":"hi"}]}"""));
                Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
            }
            spendBefore = await SpendAsync(gateway, key);
            Assert.True(spendBefore > 0);
            gateway.Signal(15);
            Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        }

        Assert.True(File.Exists(Path.Combine(dir, "edgegw.db")));
        Assert.DoesNotContain(Directory.GetFiles(dir), f => f.EndsWith(".so", StringComparison.Ordinal));
        // The plaintext key appears nowhere in the database: only its SHA-256.
        var dbBytes = await File.ReadAllBytesAsync(Path.Combine(dir, "edgegw.db"));
        Assert.DoesNotContain(key, Encoding.UTF8.GetString(dbBytes), StringComparison.Ordinal);

        await using var restarted = await GatewayProcess.StartAsync(Config, dir);
        Assert.Equal(spendBefore, await SpendAsync(restarted, key));
        using var again = new HttpClient { BaseAddress = restarted.Client.BaseAddress };
        again.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var after = await again.PostAsync("/v1/chat/completions", Json("""{"model":"priced","messages":[{"role":"user","content":"hi"}]}"""));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        var logs = JsonDocument.Parse(await restarted.Client.GetStringAsync($"/spend/logs?api_key={Uri.EscapeDataString(key)}")).RootElement;
        Assert.Equal(4, logs.GetArrayLength());
    }

    private static async Task<decimal> SpendAsync(GatewayProcess gateway, string key) =>
        JsonDocument.Parse(await gateway.Client.GetStringAsync($"/key/info?key={Uri.EscapeDataString(key)}"))
            .RootElement.GetProperty("info").GetProperty("spend").GetDecimal();
}
