using System.Globalization;
using System.Text;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.E2E;

/// <summary>LiteLLM's <c>--ssl_keyfile_path/--ssl_certfile_path</c> on the native binary: HTTPS with those PEM files.</summary>
public sealed class TlsTests
{
    [Fact]
    public async Task SslKeyAndCertFiles_ServeHttpsAndHealthcheckTrustsThem()
    {
        var folder = GatewayProcess.NewFolderWithBinary();
        await File.WriteAllTextAsync(Path.Combine(folder, "config.yaml"), $"""
            model_list:
              - model_name: mock-gpt
                litellm_params:
                  model: mock/mock-gpt
            general_settings:
              master_key: {GatewayProcess.MasterKey}
            """);
        var (_, _, raw) = SelfSignedCertificate.WritePem(folder);

        var port = GatewayProcess.FreePort().ToString(CultureInfo.InvariantCulture);
        using var process = GatewayProcess.Launch(folder, null,
            ["--config", "config.yaml", "--host", "127.0.0.1", "--port", port, "--ssl_keyfile_path", "key.pem", "--ssl_certfile_path", "cert.pem"]);
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient(SelfSignedCertificate.TrustingOnly(raw)) { BaseAddress = new Uri($"https://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            await GatewayProcess.WaitLiveAsync(client, process, () => { lock (output) return output.ToString(); });

            var health = await EmptyRoot.RunAsync(Path.Combine(folder, "edgegw"), ["healthcheck", "/health/readiness"],
                new Dictionary<string, string> { ["PORT"] = port, ["SSL_CERTFILE_PATH"] = Path.Combine(folder, "cert.pem") });
            Assert.True(health.Code == 0, health.Output);
            lock (output)
                Assert.Contains($"listening on https://127.0.0.1:{port}", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill();
            await process.WaitForExitAsync();
        }
    }
}
