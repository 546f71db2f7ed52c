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
    // Inline on both sides: the request's code resumes on the thread that received the bytes, as it did
    // reading the socket itself (no extra hop). 64 KiB unread pauses receiving: a slow client slows the upstream.
    private static readonly PipeOptions InputOptions = new(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline,
        pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, minimumSegmentSize: 8192, useSynchronizationContext: false);
    private const int MinimumReadSize = 2048;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly Pipe _input = new(InputOptions);
    private int _disposed;

    public Http1Connection(Socket socket, long now)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        Reader = _input.Reader;
        Writer = PipeWriter.Create(_stream, WriterOptions);
        // Started without the creating request's ExecutionContext: the loop lives as long as the connection,
        // and must not keep that request's AsyncLocals (its Activity, telemetry) alive.
        using (ExecutionContext.SuppressFlow())
            _ = ReceiveAsync();
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

    /// <summary>
    /// The connection's one receive loop, socket → pipe, for its whole life (one state machine per connection, as
    /// Kestrel's socket transport does). A request reading the pipe costs nothing when it waits; reading through
    /// <c>PipeReader.Create(NetworkStream)</c> cost the runtime's pooled read box, which misses with 32 requests in
    /// flight (216 B a request). A failed socket ends the pipe with an <see cref="IOException"/>, as the stream did.
    /// </summary>
    private async Task ReceiveAsync()
    {
        var writer = _input.Writer;
        Exception? error = null;
        try
        {
            while (true)
            {
                var read = await _socket.ReceiveAsync(writer.GetMemory(MinimumReadSize), SocketFlags.None);
                if (read == 0)
                    break; // the server closed its side: the reader sees the end after what was received
                writer.Advance(read);
                var flush = await writer.FlushAsync();
                if (flush.IsCompleted || flush.IsCanceled)
                    break; // the reader is done: the connection is being closed
            }
        }
        catch (Exception e)
        {
            // Whatever ended it, the pipe must end too, or a reader would wait for its timeout.
            error = _disposed != 0 ? null : new IOException(e.Message, e);
        }
        writer.Complete(error);
    }

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
            // The receive loop has taken what arrived (an end, or bytes nobody asked for) into the pipe; the poll sees what it has not yet.
            return !HasUnreadBytes() && !_socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    private bool HasUnreadBytes()
    {
        try
        {
            if (!Reader.TryRead(out var result))
                return false;
            var unread = !result.Buffer.IsEmpty || result.IsCompleted;
            Reader.AdvanceTo(result.Buffer.Start);
            return unread;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            return true; // the receive loop ended on an error (a reset): unusable
        }
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
