using System.Net;
using System.Net.Sockets;

namespace EdgeGw.Upstream.Http1;

/// <summary>
/// The keep-alive connections to one <c>http://</c> origin: the most recently used idle connection goes
/// out first (warm, least likely to have been closed by the server), each is checked before reuse, and
/// idle or old ones are closed, like the SocketsHttpHandler settings they replace (UpstreamClients).
/// </summary>
internal sealed class Http1Pool : IDisposable
{
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(90);
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    // More idle connections than this are closed on return: bursts above it reconnect.
    private const int MaxIdle = 512;

    private readonly EndPoint _endPoint;
    private readonly Http1Connection?[] _idle = new Http1Connection?[MaxIdle];
    private readonly Timer _sweep;
    private int _count;
    private long _connects;
    private bool _disposed;

    public Http1Pool(Uri origin)
    {
        var host = origin.DnsSafeHost.Trim('[', ']');
        _endPoint = IPAddress.TryParse(host, out var address) ? new IPEndPoint(address, origin.Port) : new DnsEndPoint(host, origin.Port);
        _sweep = new Timer(static s => ((Http1Pool)s!).Sweep(), this, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15));
    }

    /// <summary>Connections opened so far (tests and diagnostics).</summary>
    public long Connects => Interlocked.Read(ref _connects);

    /// <summary>Connections waiting in the pool now (tests and diagnostics).</summary>
    public int IdleCount
    {
        get
        {
            lock (_idle)
                return _count;
        }
    }

    /// <summary>The most recent healthy idle connection, or null: the caller then connects.</summary>
    public Http1Connection? TryRentIdle()
    {
        var now = Environment.TickCount64;
        while (true)
        {
            Http1Connection? connection;
            lock (_idle)
            {
                if (_count == 0)
                    return null;
                connection = _idle[--_count]!;
                _idle[_count] = null;
            }
            if (!Expired(connection, now) && (RecentlyUsed(connection, now) || connection.IsHealthy()))
            {
                connection.Leased = true;
                connection.IdleSince = 0;
                return connection;
            }
            connection.Dispose();
        }
    }

    /// <summary>A new connection, TCP_NODELAY, within the connect timeout.</summary>
    public async ValueTask<Http1Connection> ConnectAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            connect.CancelAfter(ConnectTimeout);
            try
            {
                await socket.ConnectAsync(_endPoint, connect.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new SocketException((int)SocketError.TimedOut, $"Connecting to {_endPoint} timed out after {ConnectTimeout.TotalSeconds:0} s.");
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        Interlocked.Increment(ref _connects);
        return new Http1Connection(socket, Environment.TickCount64) { Leased = true };
    }

    /// <summary>Ends a request's use of <paramref name="connection"/>: back to the pool when its answer was read whole, else closed.</summary>
    public void Release(Http1Connection connection)
    {
        if (!connection.Leased)
            return;
        connection.Leased = false;
        var reusable = connection.Reusable; // reads the pipe: once a request
        if (!reusable && connection.Body.CanDrainLater && !connection.Head.Close)
        {
            // A stream's reader stops at [DONE]; the body's last chunk often arrives a moment later (its own
            // segment). Waiting for it off the request's path keeps the connection instead of reconnecting.
            _ = DrainThenReturnAsync(connection);
            return;
        }
        Return(connection, reusable);
    }

    private void Return(Http1Connection connection, bool reusable)
    {
        var now = Environment.TickCount64;
        if (reusable && !Expired(connection, now))
        {
            connection.IdleSince = now;
            lock (_idle)
            {
                if (!_disposed && _count < _idle.Length)
                {
                    _idle[_count++] = connection;
                    return;
                }
            }
        }
        connection.Dispose();
    }

    /// <summary>How long a released connection waits for the rest of its answer before it is closed instead.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(1);

    private async Task DrainThenReturnAsync(Http1Connection connection)
    {
        using var timeout = new CancellationTokenSource(DrainTimeout);
        if (await connection.Body.DrainAsync(timeout.Token))
            Return(connection, connection.Reusable);
        else
            connection.Dispose();
    }

    // A connection back from a request within the last second skips the health check's poll (a
    // syscall per request under load): a server closing it that soon is the rare race the one retry
    // on a stale connection already covers.
    private static bool RecentlyUsed(Http1Connection connection, long now) => now - connection.IdleSince < 1000;

    private static bool Expired(Http1Connection connection, long now) =>
        now - connection.CreatedAt > (long)Lifetime.TotalMilliseconds
        || connection.IdleSince != 0 && now - connection.IdleSince > (long)IdleTimeout.TotalMilliseconds;

    // Idle connections past their time are closed even when no request comes to find them.
    private void Sweep()
    {
        var now = Environment.TickCount64;
        List<Http1Connection>? expired = null;
        lock (_idle)
        {
            var kept = 0;
            for (var i = 0; i < _count; i++)
            {
                var connection = _idle[i]!;
                if (Expired(connection, now))
                    (expired ??= []).Add(connection);
                else
                    _idle[kept++] = connection;
            }
            Array.Clear(_idle, kept, _count - kept);
            _count = kept;
        }
        if (expired is not null)
        {
            foreach (var connection in expired)
                connection.Dispose();
        }
    }

    public void Dispose()
    {
        _sweep.Dispose();
        lock (_idle)
        {
            _disposed = true;
            for (var i = 0; i < _count; i++)
                _idle[i]!.Dispose();
            Array.Clear(_idle);
            _count = 0;
        }
    }
}
