using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EdgeGw.Tests.Infrastructure;

/// <summary>
/// A loopback TCP relay in front of the test PostgreSQL server that, once armed, cuts the connection
/// carrying the next <c>COMMIT</c>: before relaying it (the transaction aborts) or after the server
/// had time to commit it (the commit lands and its answer is lost — what a network cut mid-commit does).
/// </summary>
public sealed class CommitCuttingProxy : IDisposable
{
    private static readonly byte[] Commit = Encoding.ASCII.GetBytes("COMMIT\0"); // the statement text, NUL-terminated in the protocol
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _serverPort;
    private readonly CancellationTokenSource _stop = new();
    private volatile int _armed; // 0 off, 1 cut before, 2 cut after

    public CommitCuttingProxy(int serverPort)
    {
        _serverPort = serverPort;
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>True once an armed cut happened.</summary>
    public bool Cut { get; private set; }

    public void CutBeforeNextCommit() => _armed = 1;

    public void CutAfterNextCommit() => _armed = 2;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            var server = new TcpClient();
            await server.ConnectAsync(IPAddress.Loopback, _serverPort);
            var pair = new Pair();
            _ = RelayAsync(client, server, pair, watch: true);
            _ = RelayAsync(server, client, pair, watch: false);
        }
    }

    private sealed class Pair
    {
        public volatile bool Muted; // the server's answers stop reaching the client
    }

    private async Task RelayAsync(TcpClient from, TcpClient to, Pair pair, bool watch)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await from.GetStream().ReadAsync(buffer, _stop.Token);
                if (n == 0)
                    break;
                var mode = _armed;
                if (watch && mode != 0 && buffer.AsSpan(0, n).IndexOf(Commit) >= 0)
                {
                    _armed = 0;
                    pair.Muted = true;
                    Cut = true;
                    if (mode == 2)
                    {
                        await to.GetStream().WriteAsync(buffer.AsMemory(0, n), _stop.Token);
                        await Task.Delay(500, _stop.Token); // the server commits; its answer never reaches the client
                    }
                    break;
                }
                if (pair.Muted)
                    break;
                await to.GetStream().WriteAsync(buffer.AsMemory(0, n), _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
        from.Close();
        to.Close();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }
}
