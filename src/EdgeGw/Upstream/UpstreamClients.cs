using System.Collections.Concurrent;
using System.Net;

namespace EdgeGw.Upstream;

/// <summary>
/// One <see cref="SocketsHttpHandler"/> per upstream origin, shared by every deployment that
/// points there and kept across config reloads so pooled connections survive.
/// </summary>
internal sealed class UpstreamClients : IDisposable
{
    private readonly ConcurrentDictionary<string, HttpMessageInvoker> _byOrigin = new(StringComparer.OrdinalIgnoreCase);

    public HttpMessageInvoker For(Uri uri) =>
        _byOrigin.GetOrAdd(uri.GetLeftPart(UriPartial.Authority), static _ => new HttpMessageInvoker(CreateHandler(), disposeHandler: true));

    // No redirects, cookies, proxies or decompression: the gateway relays bytes, it is not a browser.
    // SocketsHttpHandler sets TCP_NODELAY on its sockets by default.
    private static SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
        PooledConnectionLifetime = TimeSpan.FromMinutes(10),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        EnableMultipleHttp2Connections = true,
        MaxConnectionsPerServer = int.MaxValue,
    };

    /// <summary>HTTP/2 where TLS lets the upstream offer it (ALPN); plain HTTP/1.1 otherwise.</summary>
    public static void SetVersion(HttpRequestMessage request)
    {
        if (request.RequestUri!.Scheme == Uri.UriSchemeHttps)
        {
            request.Version = HttpVersion.Version20;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
        }
        else
        {
            request.Version = HttpVersion.Version11;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }
    }

    public void Dispose()
    {
        foreach (var invoker in _byOrigin.Values)
            invoker.Dispose();
        _byOrigin.Clear();
    }
}
