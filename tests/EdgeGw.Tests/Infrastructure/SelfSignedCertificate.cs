using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeGw.Tests.Infrastructure;

/// <summary>A self-signed certificate for 127.0.0.1, written as uvicorn takes it: cert.pem and key.pem.</summary>
public static class SelfSignedCertificate
{
    /// <summary>Writes cert.pem and key.pem into <paramref name="directory"/>; returns their paths and the certificate's DER bytes.</summary>
    public static (string CertFile, string KeyFile, byte[] Raw) WritePem(string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=edgegw-test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certFile = Path.Combine(directory, "cert.pem");
        var keyFile = Path.Combine(directory, "key.pem");
        File.WriteAllText(certFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certFile, keyFile, certificate.RawData);
    }

    /// <summary>A handler that trusts exactly the certificate <paramref name="raw"/> (the name is not checked).</summary>
    public static SocketsHttpHandler TrustingOnly(byte[] raw)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) =>
            presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(raw);
        return handler;
    }
}
