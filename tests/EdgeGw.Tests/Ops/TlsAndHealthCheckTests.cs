using System.Globalization;
using System.Net;
using EdgeGw.Api;
using EdgeGw.Config;
using EdgeGw.Ops;
using EdgeGw.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace EdgeGw.Tests.Ops;

/// <summary>HTTPS from LiteLLM's --ssl_certfile_path/--ssl_keyfile_path, and <c>edgegw healthcheck PATH</c> against a live gateway.</summary>
public sealed class TlsAndHealthCheckTests : IDisposable
{
    private const string Config = """
        model_list:
          - model_name: mock-gpt
            litellm_params:
              model: mock/mock-gpt
        general_settings:
          master_key: sk-test
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("edgegw-tls-").FullName;

    private (string CertFile, string KeyFile, byte[] Raw) WriteSelfSignedPem() => SelfSignedCertificate.WritePem(_directory);

    private static async Task<WebApplication> StartAsync(ServerCertificate? tls, string databasePath)
    {
        var app = GatewayHost.Build(ConfigLoader.Parse(Config, _ => null), new ListenOptions(IPAddress.Loopback, 0, tls),
            logging: l => l.ClearProviders(), databasePath: databasePath);
        await app.StartAsync();
        return app;
    }

    private static string PortOf(WebApplication app) => GatewayHost.BoundAddress(app).Port.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task SslCertAndKeyFiles_ServeHttpsWithThatCertificate()
    {
        var (certFile, keyFile, raw) = WriteSelfSignedPem();
        await using var app = await StartAsync(ServerCertificate.Load(certFile, keyFile), Path.Combine(_directory, "gw.db"));
        var address = GatewayHost.BoundAddress(app);
        Assert.Equal("https", address.Scheme);

        using var client = new HttpClient(SelfSignedCertificate.TrustingOnly(raw)) { BaseAddress = address };
        using var response = await client.GetAsync(new Uri("/health/liveliness", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await app.StopAsync();
    }

    [Fact]
    public async Task HealthcheckWithServersCertificate_PassesOverHttps()
    {
        var (certFile, keyFile, _) = WriteSelfSignedPem();
        await using var app = await StartAsync(ServerCertificate.Load(certFile, keyFile), Path.Combine(_directory, "gw.db"));
        Assert.Equal(0, await HealthCheckCommand.RunAsync(["/health/readiness", "--port", PortOf(app), "--ssl_certfile_path", certFile], _ => null));
        // The same through the server's own environment variables, as a compose healthcheck sees them.
        Assert.Equal(0, await HealthCheckCommand.RunAsync([], name => name switch { "PORT" => PortOf(app), "SSL_CERTFILE_PATH" => certFile, _ => null }));
        await app.StopAsync();
    }

    [Fact]
    public void MissingKeyFile_IsReportedNamingTheFiles()
    {
        var (certFile, _, _) = WriteSelfSignedPem();
        var message = Assert.Throws<ArgumentException>(() => ServerCertificate.Load(certFile, Path.Combine(_directory, "nope.pem"))).Message;
        Assert.Contains("nope.pem", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/health/readiness", 0)]
    [InlineData("/health/liveliness", 0)]
    [InlineData("/no/such/path", 1)]
    public async Task HealthcheckPath_ExitsZeroOnlyWhenThatPathAnswers2xx(string path, int expected)
    {
        await using var app = await StartAsync(null, Path.Combine(_directory, "gw.db"));
        Assert.Equal(expected, await HealthCheckCommand.RunAsync([path, "--port", PortOf(app)], _ => null));
        await app.StopAsync();
    }

    [Fact]
    public async Task HealthcheckWithoutPort_UsesPortFromEnvironmentLikeTheServer()
    {
        await using var app = await StartAsync(null, Path.Combine(_directory, "gw.db"));
        Assert.Equal(0, await HealthCheckCommand.RunAsync(["/health/readiness"], name => name == "PORT" ? PortOf(app) : null));
        await app.StopAsync();
    }

    [Fact]
    public async Task HealthcheckWithCurlsUrl_ChecksThatUrl()
    {
        await using var app = await StartAsync(null, Path.Combine(_directory, "gw.db"));
        Assert.Equal(0, await HealthCheckCommand.RunAsync([$"http://localhost:{PortOf(app)}/health/readiness"], _ => null));
        await app.StopAsync();
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
