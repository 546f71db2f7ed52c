using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;

namespace EdgeGw.Upstream.Http1;

/// <summary>
/// One keep-alive HTTP/1.1 connection to an upstream: a socket with a <see cref="PipeReader"/> and
/// <see cref="PipeWriter"/> over it, and the state of the answer being read (head, body, header strings),
/// all reused by every request the connection carries.
/// </summary>
internal sealed class Http1Connection : IDisposable
{
    // The writer's first buffer holds a typical head and body; larger bodies take more pooled segments.
    private static readonly StreamPipeWriterOptions WriterOptions = new(minimumBufferSize: 4096, leaveOpen: true);
    private static readonly StreamPipeReaderOptions ReaderOptions = new(bufferSize: 8192, minimumReadSize: 2048, leaveOpen: true);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private int _disposed;

    public Http1Connection(Socket socket, long now)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        Reader = PipeReader.Create(_stream, ReaderOptions);
        Writer = PipeWriter.Create(_stream, WriterOptions);
        Head = new Http1ResponseHead();
        Body = new Http1BodyStream(Reader);
        CreatedAt = now;
    }

    public PipeReader Reader { get; }
    public PipeWriter Writer { get; }
    public Http1ResponseHead Head { get; }
    public Http1BodyStream Body { get; }
    public Http1HeaderStrings Strings { get; } = new();
    /// <summary><see cref="Environment.TickCount64"/> at connect, and when it last went back to the pool.</summary>
    public long CreatedAt { get; }
    public long IdleSince { get; set; }
    /// <summary>Set while a request owns the connection; a second release of the same lease is ignored.</summary>
    public bool Leased { get; set; }

    /// <summary>The answer was read to its end and the server keeps the connection open.</summary>
    public bool Reusable => (Body.Complete || Body.TryDrainBuffered()) && !Head.Close && _disposed == 0 && !HasUnreadBytes();

    /// <summary>
    /// Whether an idle connection can carry a request: a server that closed it (EOF) or sent bytes
    /// nobody asked for has made it unusable, and sending on it would lose the request.
    /// </summary>
    public bool IsHealthy()
    {
        if (_disposed != 0)
            return false;
        try
        {
            return !_socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    private bool HasUnreadBytes()
    {
        if (!Reader.TryRead(out var result))
            return false;
        var unread = !result.Buffer.IsEmpty || result.IsCompleted;
        Reader.AdvanceTo(result.Buffer.Start);
        return unread;
    }

    /// <summary>Closes the socket and gives the pipes' buffers back; called by the connection's owner, more than once is fine.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _stream.Dispose();
        var closed = new ObjectDisposedException(nameof(Http1Connection));
        try
        {
            Reader.Complete(closed);
            Writer.Complete(closed); // with an exception: nothing unflushed is written to the closed socket
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // Already broken: the buffers are released either way.
        }
    }
}
