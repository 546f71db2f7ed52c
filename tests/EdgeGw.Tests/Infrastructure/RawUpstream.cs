using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EdgeGw.Tests.Infrastructure;

/// <summary>
/// A provider stand-in that writes exact HTTP/1.1 bytes per connection, for what Kestrel will not do:
/// close a kept-alive connection without a word, cut a body short, say <c>Connection: close</c> and keep
/// the socket open, split chunked framing anywhere, never answer.
/// </summary>
public sealed class RawUpstream : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;

    /// <param name="serve">Runs once per accepted connection; the connection closes when it returns.</param>
    public RawUpstream(Func<RawConnection, Task> serve)
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndPoint!).Port}";
        _accepting = AcceptAsync(serve);
    }

    public string Url { get; }

    /// <summary>TCP connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    private async Task AcceptAsync(Func<RawConnection, Task> serve)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            var number = Interlocked.Increment(ref _connections);
            _ = Task.Run(async () =>
            {
                using var connection = new RawConnection(socket, number, _stop.Token);
                try
                {
                    await serve(connection);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
                {
                    // The gateway closed its side; the test asserts on what it saw.
                }
            });
        }
    }

    /// <summary>A JSON answer with Content-Length (and extra header lines).</summary>
    public static string Json(string json, params string[] headerLines) =>
        $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{string.Concat(headerLines.Select(l => l + "\r\n"))}Content-Length: {Encoding.UTF8.GetByteCount(json)}\r\n\r\n{json}";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accepting;
        _stop.Dispose();
    }
}

/// <summary>One accepted connection of a <see cref="RawUpstream"/>.</summary>
public sealed class RawConnection(Socket socket, int number, CancellationToken stop) : IDisposable
{
    private readonly byte[] _buffer = new byte[4 << 20];
    private int _buffered;

    /// <summary>1 for the first connection the upstream accepted.</summary>
    public int Number => number;

    /// <summary>The next request's body (its head read and dropped), or null when the gateway closed the connection.</summary>
    public async Task<byte[]?> ReadRequestAsync()
    {
        int headEnd;
        while ((headEnd = _buffer.AsSpan(0, _buffered).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (await ReceiveAsync() == 0)
                return null;
        }
        var head = Encoding.Latin1.GetString(_buffer, 0, headEnd);
        var lengthLine = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        var length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var total = headEnd + 4 + length;
        while (_buffered < total)
        {
            if (await ReceiveAsync() == 0)
                return null;
        }
        var body = _buffer[(headEnd + 4)..total];
        _buffer.AsSpan(total, _buffered - total).CopyTo(_buffer);
        _buffered -= total;
        return body;
    }

    /// <summary>Whether the gateway closed the connection (EOF) within <paramref name="bound"/>, reading and dropping anything it sends.</summary>
    public async Task<bool> ClosedByPeerAsync(TimeSpan bound)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(bound);
        try
        {
            while (await socket.ReceiveAsync(_buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }
            return true;
        }
        catch (SocketException)
        {
            return true; // reset: closed as well
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(byte[] bytes) => await socket.SendAsync(bytes, SocketFlags.None, stop);

    private async Task<int> ReceiveAsync()
    {
        var read = await socket.ReceiveAsync(_buffer.AsMemory(_buffered), SocketFlags.None, stop);
        _buffered += read;
        return read;
    }

    /// <summary>Closes with a reset (RST) instead of an orderly end: linger on, zero seconds.</summary>
    public void Reset()
    {
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    public void Dispose() => socket.Dispose();
}
