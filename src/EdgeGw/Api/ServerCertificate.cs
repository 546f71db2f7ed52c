using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeGw.Api;

/// <summary>
/// HTTPS from LiteLLM's <c>--ssl_certfile_path</c>/<c>--ssl_keyfile_path</c>: PEM files as uvicorn takes
/// them, the certificate file optionally followed by its intermediates (sent in the handshake).
/// </summary>
internal sealed record ServerCertificate(X509Certificate2 Certificate, X509Certificate2Collection Chain)
{
    /// <summary>Loads both files; throws <see cref="ArgumentException"/> with a line naming the file that is wrong.</summary>
    public static ServerCertificate Load(string certfilePath, string keyfilePath)
    {
        try
        {
            var certificate = X509Certificate2.CreateFromPemFile(certfilePath, keyfilePath);
            var all = new X509Certificate2Collection();
            all.ImportFromPemFile(certfilePath);
            var chain = new X509Certificate2Collection();
            foreach (var extra in all)
            {
                if (extra.Thumbprint != certificate.Thumbprint)
                    chain.Add(extra);
            }
            return new ServerCertificate(certificate, chain);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new ArgumentException($"cannot load the TLS certificate '{certfilePath}' with key '{keyfilePath}': {e.Message}", e);
        }
    }
}
