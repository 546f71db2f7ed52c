using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace EdgeGw.Upstream.Http1;

/// <summary>
/// One request on a pooled connection, up to its answer's head:
/// <code>
///   pool (LIFO, health-checked) ─▶ head + spliced body into the PipeWriter, one flush
///     ─▶ read to the blank line ─▶ parse the head (spans) ─▶ body framing set for the reader
///   a reused connection that fails before any answer byte ─▶ once more on a new connection
/// </code>
/// </summary>
internal static class Http1Exchange
{
    private const int MaxInterimResponses = 8;

    /// <summary>The connection, leased, with the answer's head parsed and its body ready to read.</summary>
    /// <exception cref="IOException">The upstream broke the exchange (also for a socket failure).</exception>
    /// <exception cref="SocketException">The upstream could not be reached.</exception>
    /// <remarks>One async method for both tries: each level suspended while the upstream answers is a state-machine box
    /// that misses the builder's pool under concurrency (issue 23).</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<Http1Connection> SendAsync(Http1Pool pool, Http1RequestHead head, SplicedBody body,
        string? extraName, string? extraValue, CancellationToken cancellationToken)
    {
        var connection = pool.TryRentIdle();
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
                await writer.FlushAsync(cancellationToken);
                var reader = connection.Reader;
                var interim = 0;
                while (true)
                {
                    var result = await reader.ReadAsync(cancellationToken);
                    if (result.IsCanceled)
                        throw new OperationCanceledException(cancellationToken);
                    var buffer = result.Buffer;
                    received |= !buffer.IsEmpty;
                    if (IndexOfBlankLine(buffer) is { } end)
                    {
                        var parsed = connection.Head.TryParse(buffer.Slice(0, end));
                        reader.AdvanceTo(end);
                        if (!parsed)
                            throw new IOException("The upstream's answer is not HTTP/1.1.");
                        // 100 Continue and other interim answers precede the real one (101 would switch protocols: not asked for).
                        if (connection.Head.Status is >= 100 and < 200 and not 101)
                        {
                            if (++interim > MaxInterimResponses)
                                throw new IOException("The upstream sent too many interim (1xx) answers.");
                            continue;
                        }
                        connection.Body.Reset(connection.Head);
                        return connection;
                    }
                    if (buffer.Length > Http1ResponseHead.MaxBytes)
                        throw new IOException($"The upstream's response head is larger than {Http1ResponseHead.MaxBytes / 1024} KiB.");
                    reader.AdvanceTo(buffer.Start, buffer.End);
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
            catch
            {
                connection.Dispose();
                throw;
            }
            connection.Dispose();
            if (!reused)
                throw new IOException("The upstream closed the connection without answering.");
            // The server closed the idle connection as it was taken, and never saw the request: once more on a new one.
            (connection, reused) = (null, false);
        }
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
