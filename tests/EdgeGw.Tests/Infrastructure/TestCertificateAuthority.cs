using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeGw.Tests.Infrastructure;

/// <summary>
/// A throwaway CA that the system does not trust, and the server and client certificates it issues,
/// written as PEM files (what redis-server's <c>--tls-*-file</c> and redis-py's <c>ssl_*</c> settings take).
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _certificate;
    private readonly string _directory;

    public TestCertificateAuthority(string directory)
    {
        _directory = directory;
        var request = new CertificateRequest("CN=edgegw-test-ca", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        // The authority outlives what it issues: a leaf may not end after its issuer (Create throws).
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddDays(2));
        CaFile = Path.Combine(directory, "ca.pem");
        File.WriteAllText(CaFile, _certificate.ExportCertificatePem());
    }

    public string CaFile { get; }

    /// <summary>A certificate for <paramref name="names"/> (an IP address or a DNS name each), for a server or a client.</summary>
    public (string CertFile, string KeyFile) Issue(string fileName, bool client, params string[] names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={names.FirstOrDefault() ?? fileName}", key, HashAlgorithmName.SHA256);
        var alternative = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var ip))
                alternative.AddIpAddress(ip);
            else
                alternative.AddDnsName(name);
        }
        if (names.Length > 0)
            request.CertificateExtensions.Add(alternative.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(client ? "1.3.6.1.5.5.7.3.2" : "1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_certificate, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(_certificate, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), serial);
        var certFile = Path.Combine(_directory, fileName + ".pem");
        var keyFile = Path.Combine(_directory, fileName + ".key");
        File.WriteAllText(certFile, issued.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certFile, keyFile);
    }

    public void Dispose()
    {
        _certificate.Dispose();
        _key.Dispose();
    }
}
