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
    private readonly ConcurrentDictionary<string, Http1.Http1Pool> _http1ByOrigin = new(StringComparer.OrdinalIgnoreCase);

    public HttpMessageInvoker For(Uri uri) =>
        _byOrigin.GetOrAdd(uri.GetLeftPart(UriPartial.Authority), static _ => new HttpMessageInvoker(CreateHandler(), disposeHandler: true));

    /// <summary>The Pipelines client's pool for a plain <c>http://</c> origin; null for HTTPS or when <see cref="UpstreamClientSwitch"/> says HttpClient.</summary>
    public Http1.Http1Pool? Http1For(Uri uri)
    {
        if (UpstreamClientSwitch.HttpClientOnly || uri.Scheme != Uri.UriSchemeHttp)
            return null;
        var origin = uri.GetLeftPart(UriPartial.Authority);
        if (_http1ByOrigin.TryGetValue(origin, out var pool))
            return pool;
        var created = new Http1.Http1Pool(uri);
        pool = _http1ByOrigin.GetOrAdd(origin, created);
        if (pool != created)
            created.Dispose(); // lost a race: its sweep timer must not live on
        return pool;
    }

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
        foreach (var pool in _http1ByOrigin.Values)
            pool.Dispose();
        _http1ByOrigin.Clear();
    }
}
