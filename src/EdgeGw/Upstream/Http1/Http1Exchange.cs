using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using EdgeGw.Api;

namespace EdgeGw.Upstream.Http1;

/// <summary>
/// One request on a pooled connection, up to its answer's head:
/// <code>
///   pool (LIFO, health-checked) ─▶ head + spliced body into the PipeWriter, one flush
///     ─▶ read to the blank line ─▶ parse the head (spans) ─▶ body framing set for the reader
///   a reused connection that fails before any answer byte ─▶ once more on a new connection
///   a transport failure ─▶ the client's error (<see cref="UpstreamFailure"/>), as a value
/// </code>
/// One async method from the route down to the socket: each level suspended while the upstream answers
/// is a state-machine box that misses the builder's pool under concurrency (issue 23).
/// </summary>
internal static class Http1Exchange
{
    private const int MaxInterimResponses = 8;

    /// <summary>The answer with its head parsed and its body ready to read (the connection leased), or the error the client gets.</summary>
    [AsyncMethodBuilder(typeof(Buffers.PooledValueTaskMethodBuilder<>))]
    public static async ValueTask<(UpstreamResponse Response, GatewayError? Error)> SendAsync(Http1Pool pool, Http1RequestHead head, SplicedBody body,
        string? extraName, string? extraValue, UpstreamFailure failure, CancellationToken cancellationToken)
    {
        Http1Connection? connection = null;
        try
        {
            connection = pool.TryRentIdle();
            var reused = connection is not null;
            while (true)
            {
                connection ??= await pool.ConnectAsync(cancellationToken);
                var received = false;
                try
                {
                    var writer = connection.Writer;
                    head.Write(writer, body.Length, extraName, extraValue);
                    body.WriteTo(writer);
                    // No token on the flush: StreamPipeWriter registers one (144 B) even when the socket takes the bytes at once.
                    var flush = writer.FlushAsync(CancellationToken.None);
                    if (!flush.IsCompletedSuccessfully)
                        await FlushAsync(flush, writer, cancellationToken);
                    var interim = 0;
                    while (true)
                    {
                        var result = await connection.Reader.ReadAsync(cancellationToken);
                        received |= !result.Buffer.IsEmpty;
                        if (TryReadHead(connection, result, ref interim, cancellationToken))
                            return (new UpstreamResponse(pool, connection), null);
                        if (result.IsCompleted)
                        {
                            if (received)
                                throw new IOException("The upstream closed the connection in the middle of its response head.");
                            break;
                        }
                    }
                }
                catch (Exception e) when (!received && (e is IOException or SocketException or ObjectDisposedException) && !cancellationToken.IsCancellationRequested)
                {
                    // Failed before any byte of an answer: the request can go again.
                }
                connection.Dispose();
                connection = null;
                if (!reused)
                    throw new IOException("The upstream closed the connection without answering.");
                // The server closed the idle connection as it was taken, and never saw the request: once more on a new one.
                reused = false;
            }
        }
        catch (Exception e) when (failure.TryMap(e, out var error))
        {
            connection?.Dispose();
            return (default, error);
        }
        catch
        {
            connection?.Dispose();
            throw;
        }
    }

    /// <summary>A flush that waits (the socket's buffer full): the token cancels it as it would have cancelled the flush itself.</summary>
    private static async ValueTask FlushAsync(ValueTask<FlushResult> flush, PipeWriter writer, CancellationToken cancellationToken)
    {
        FlushResult result;
        using (cancellationToken.UnsafeRegister(static w => ((PipeWriter)w!).CancelPendingFlush(), writer))
            result = await flush;
        if (result.IsCanceled)
            cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Consumes what <paramref name="result"/> holds of the answer's head: true once the final (non-1xx) head is parsed
    /// and its body framing set; false when more bytes are needed.
    /// </summary>
    private static bool TryReadHead(Http1Connection connection, in ReadResult result, ref int interim, CancellationToken cancellationToken)
    {
        if (result.IsCanceled)
            throw new OperationCanceledException(cancellationToken);
        var reader = connection.Reader;
        var buffer = result.Buffer;
        while (IndexOfBlankLine(buffer) is { } end)
        {
            var parsed = connection.Head.TryParse(buffer.Slice(0, end));
            buffer = buffer.Slice(end);
            if (!parsed)
                throw new IOException("The upstream's answer is not HTTP/1.1.");
            // 100 Continue and other interim answers precede the real one (101 would switch protocols: not asked for).
            if (connection.Head.Status is not (>= 100 and < 200 and not 101))
            {
                reader.AdvanceTo(end);
                connection.Body.Reset(connection.Head);
                return true;
            }
            if (++interim > MaxInterimResponses)
                throw new IOException("The upstream sent too many interim (1xx) answers.");
        }
        if (buffer.Length > Http1ResponseHead.MaxBytes)
            throw new IOException($"The upstream's response head is larger than {Http1ResponseHead.MaxBytes / 1024} KiB.");
        reader.AdvanceTo(buffer.Start, buffer.End);
        return false;
    }

    /// <summary>The position just after the head's blank line (CRLF CRLF), or null.</summary>
    private static SequencePosition? IndexOfBlankLine(in ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsSingleSegment)
        {
            var at = buffer.FirstSpan.IndexOf("\r\n\r\n"u8);
            return at < 0 ? null : buffer.GetPosition(at + 4);
        }
        var reader = new SequenceReader<byte>(buffer);
        return reader.TryReadTo(out ReadOnlySequence<byte> _, "\r\n\r\n"u8) ? reader.Position : null;
    }
}
