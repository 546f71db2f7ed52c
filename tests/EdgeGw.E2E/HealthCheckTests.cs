using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace EdgeGw.E2E;

/// <summary><c>edgegw healthcheck</c>, and the binary in a root that holds nothing else (as in distroless).</summary>
public sealed class HealthCheckTests
{
    private const string MockConfig = $"""
        model_list:
          - model_name: mock-gpt
            litellm_params:
              model: mock/mock-gpt
              mock_response: "Hello from an empty root"
        general_settings:
          master_key: {GatewayProcess.MasterKey}
        """;

    [Fact]
    public async Task Healthcheck_ExitsZeroWhileServingAndOneWhenDown()
    {
        var gateway = await GatewayProcess.StartAsync(MockConfig, GatewayProcess.NewFolderWithBinary()); // its binary runs the check after it stops
        var port = gateway.Port.ToString(CultureInfo.InvariantCulture);
        await using (gateway)
        {
            var (code, _, stderr) = await GatewayProcess.RunToExitAsync(gateway.Directory, "healthcheck", "--port", port);
            Assert.True(code == 0, stderr);
        }
        var (downCode, _, downErr) = await GatewayProcess.RunToExitAsync(gateway.Directory, "healthcheck", "--host", "127.0.0.1", "--port", port);
        Assert.Equal(1, downCode);
        Assert.Contains("/health/liveliness", downErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_NamesHealthcheckAndSignals()
    {
        var (code, stdout, _) = await GatewayProcess.RunToExitAsync(GatewayProcess.NewFolderWithBinary(), "--help");
        Assert.Equal(0, code);
        foreach (var text in new[] { "healthcheck", "SIGTERM", "SIGHUP", "graceful_shutdown_seconds" })
            Assert.Contains(text, stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Healthcheck_BadOption_ExitsTwo()
    {
        var (code, _, stderr) = await GatewayProcess.RunToExitAsync(GatewayProcess.NewFolderWithBinary(), "healthcheck", "--prot", "1");
        Assert.Equal(2, code);
        Assert.Contains("--prot", stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// The binary in a root that holds only what the distroless image holds (<see cref="EmptyRoot"/>):
    /// it must serve a mock request and pass its own healthcheck there.
    /// </summary>
    [Fact]
    public async Task EmptyRootWithLddLibrariesAndOpenSsl_ServesMockRequestAndHealthcheck()
    {
        using var root = await EmptyRoot.CreateAsync(MockConfig);
        var port = GatewayProcess.FreePort().ToString(CultureInfo.InvariantCulture);
        var output = new StringBuilder();
        using var process = root.Start(["/app/edgegw", "--config", "/app/config.yaml", "--host", "127.0.0.1", "--port", port, "--db", "/tmp/edgegw.db"], output);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            client.DefaultRequestHeaders.Authorization = new("Bearer", GatewayProcess.MasterKey);
            await EmptyRoot.WaitLiveAsync(client, process, output);

            using var response = await client.PostAsync("/v1/chat/completions",
                new StringContent("""{"model":"mock-gpt","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            Assert.Equal("Hello from an empty root",
                JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());

            var health = await root.RunToExitAsync(["/app/edgegw", "healthcheck", "--port", port]);
            Assert.True(health.Code == 0, $"healthcheck inside the empty root failed: {health.Output}");
        }
        finally
        {
            await EmptyRoot.StopAsync(process);
        }
    }
}
