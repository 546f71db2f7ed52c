using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeGw.Config;
using StackExchange.Redis;

namespace EdgeGw.Shared;

/// <summary>
/// redis-py's TLS settings on a StackExchange.Redis connection: <c>ssl_cert_reqs</c> (none accepts any
/// certificate; optional skips the host name), <c>ssl_check_hostname</c>, <c>ssl_ca_certs</c> (CAs
/// trusted besides the system's) and a client certificate (<c>ssl_certfile</c> / <c>ssl_keyfile</c>).
/// The files are read once, here, so a bad one fails at start naming its key.
/// </summary>
internal static class RedisTls
{
    public static void Apply(ConfigurationOptions options, RedisSettings settings)
    {
        var trusted = settings.SslCaCerts is { } ca ? Load("ssl_ca_certs", ca, c => c.ImportFromPemFile(ca)) : null;
        var mode = settings.SslCertReqs;
        var checkHost = settings.SslCheckHostname && mode == RedisCertificateCheck.Required;
        options.CertificateValidation += (_, certificate, _, errors) => Accept(mode, checkHost, trusted, certificate as X509Certificate2, errors);
        if (settings.SslCertFile is { } certFile)
        {
            var client = Load("ssl_certfile", certFile, c => c.Add(X509Certificate2.CreateFromPemFile(certFile, settings.SslKeyFile)))[0];
            options.CertificateSelection += (_, _, _, _, _) => client;
        }
    }

    private static bool Accept(RedisCertificateCheck mode, bool checkHost, X509Certificate2Collection? trusted, X509Certificate2? certificate, SslPolicyErrors errors)
    {
        if (mode == RedisCertificateCheck.None)
            return true;
        if (!checkHost)
            errors &= ~SslPolicyErrors.RemoteCertificateNameMismatch;
        if (errors == SslPolicyErrors.None)
            return true;
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || trusted is null || certificate is null)
            return false;
        // Not trusted by the system: does it chain to a CA from ssl_ca_certs?
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private static X509Certificate2Collection Load(string key, string path, Action<X509Certificate2Collection> load)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            load(certificates);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new ConfigException(key, $"cannot read '{path}': {e.Message}");
        }
        return certificates.Count > 0 ? certificates : throw new ConfigException(key, $"'{path}' holds no PEM certificate");
    }
}
