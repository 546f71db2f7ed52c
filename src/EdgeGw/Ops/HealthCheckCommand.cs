using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeGw.Ops;

/// <summary>
/// <c>edgegw healthcheck [PATH | URL] [--host H] [--port P] [--ssl_certfile_path PEM]</c>: GETs PATH
/// (default <c>/health/liveliness</c>) and exits 0 when it answers 2xx, 1 otherwise — the
/// <c>curl -f</c> of compose healthchecks, for images without a shell or curl. Host, port and TLS
/// default to the server's environment (HOST, PORT, SSL_CERTFILE_PATH) so one compose file serves both.
/// </summary>
internal static class HealthCheckCommand
{
    public const string Name = "healthcheck";
    private const string UsageLine = "usage: edgegw healthcheck [/health/liveliness | /health/readiness | URL] [--host H] [--port P] [--ssl_certfile_path PEM]";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var host = ProbeHost(environment("HOST") is { Length: > 0 } h ? h : "127.0.0.1");
        var port = environment("PORT") is { Length: > 0 } envPort && TryPort(envPort, out var p0) ? p0 : 4000;
        var certificate = environment("SSL_CERTFILE_PATH") is { Length: > 0 } c ? c : null;
        string path = "/health/liveliness";
        Uri? url = null;
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            switch (args[i])
            {
                case "--host" when value is not null:
                    host = ProbeHost(value);
                    i++;
                    break;
                case "--port" when value is not null && TryPort(value, out var p):
                    port = p;
                    i++;
                    break;
                case "--ssl_certfile_path" when value is not null:
                    certificate = value;
                    i++;
                    break;
                case var arg when arg.StartsWith('/'):
                    path = arg;
                    break;
                case var arg when (arg.StartsWith("http://", StringComparison.Ordinal) || arg.StartsWith("https://", StringComparison.Ordinal))
                                  && Uri.TryCreate(arg, UriKind.Absolute, out var absolute):
                    url = absolute;
                    break;
                default:
                    Console.Error.WriteLine($"edgegw healthcheck: bad option '{args[i]}' ({UsageLine})");
                    return 2;
            }
        }
        var authority = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";
        url ??= new Uri($"{(certificate is null ? "http" : "https")}://{authority}{path}");
        try
        {
            using var handler = Handler(certificate);
            using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
            using var response = await client.GetAsync(url);
            if (response.IsSuccessStatusCode)
                return 0;
            Console.Error.WriteLine($"edgegw healthcheck: {url} answered {(int)response.StatusCode}");
            return 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or CryptographicException or IOException)
        {
            Console.Error.WriteLine($"edgegw healthcheck: {url}: {e.Message}");
            return 1;
        }
    }

    /// <summary>A server bound to every address is probed on loopback.</summary>
    public static string ProbeHost(string host) => host is "0.0.0.0" or "::" or "[::]" ? "127.0.0.1" : host;

    private static bool TryPort(string value, out int port) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535;

    /// <summary>With the server's own certificate file, trust exactly that certificate (the name will not match 127.0.0.1).</summary>
    public static SocketsHttpHandler Handler(string? certificateFile)
    {
        var handler = new SocketsHttpHandler();
        if (certificateFile is null)
            return handler;
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(certificateFile));
        var expected = certificate.RawData;
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, errors) =>
            errors == System.Net.Security.SslPolicyErrors.None || (presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(expected));
        return handler;
    }
}
