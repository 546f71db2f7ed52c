using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace EdgeGw.Upstream.Http1;

/// <summary>
/// A response body read from the connection's pipe: by Content-Length, chunked, or to the close.
/// One per connection, reset per response; a read that the pipe can serve completes synchronously,
/// and one that waits uses a pooled state machine, so relaying a stream allocates nothing per read.
/// </summary>
internal sealed class Http1BodyStream : Stream
{
    private enum Framing : byte { Length, Chunked, ToClose }

    private readonly PipeReader _reader;
    private Framing _framing;
    private long _remaining;
    private ChunkedDecoder _chunked;
    private bool _endMarkerRead;

    public Http1BodyStream(PipeReader reader) => _reader = reader;

    /// <summary>The whole body was read: the connection is at the next response's first byte.</summary>
    public bool Complete { get; private set; }

    public void Reset(Http1ResponseHead head, bool headRequest = false)
    {
        _chunked.Reset();
        Complete = false;
        _endMarkerRead = false;
        if (headRequest || head.NoBody || !head.Chunked && head.ContentLength == 0)
        {
            Complete = true;
        }
        else if (head.Chunked)
        {
            _framing = Framing.Chunked;
        }
        else if (head.ContentLength > 0)
        {
            _framing = Framing.Length;
            _remaining = head.ContentLength;
        }
        else
        {
            _framing = Framing.ToClose;
        }
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Complete)
            return new ValueTask<int>(0);
        if (buffer.IsEmpty)
            return new ValueTask<int>(0);
        if (_reader.TryRead(out var result))
        {
            var read = Take(result, buffer.Span);
            if (read > 0 || Complete)
                return new ValueTask<int>(read);
        }
        return ReadSlowAsync(buffer, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadSlowAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        // Bounded: each round either yields bytes, completes, or fails at the connection's end.
        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken);
            if (result.IsCanceled)
                throw new OperationCanceledException(cancellationToken);
            var read = Take(result, buffer.Span);
            if (read > 0 || Complete)
                return read;
        }
    }

    /// <summary>
    /// Reads on through what the pipe already holds, dropping it: a reader that stopped at a stream's end
    /// marker may leave the rest of the body (the last chunk's <c>0\r\n\r\n</c>) in the pipe, and the
    /// connection is reusable only once that is consumed. Never waits (what has not arrived closes the
    /// connection instead); true when the body is now complete.
    /// </summary>
    public bool TryDrainBuffered()
    {
        Span<byte> scratch = stackalloc byte[1024];
        // Bounded: at most DrainLimit is dropped here; a longer rest closes the connection instead.
        for (var round = 0; round < DrainLimit / scratch.Length && !Complete; round++)
        {
            try
            {
                if (!_reader.TryRead(out var result))
                    return false;
                if (Take(result, scratch) == 0 && !Complete)
                    return false;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException)
            {
                return false;
            }
        }
        return Complete;
    }

    /// <summary>
    /// Whether the rest of the body is worth waiting for so the connection can be kept: the reader
    /// stopped at the stream's end marker (<see cref="EndMarkerRead"/>) and the last chunk's
    /// <c>0\r\n\r\n</c> had not arrived yet. A stream cut short is closed at once instead.
    /// </summary>
    public bool CanDrainLater => !Complete && _endMarkerRead && _framing != Framing.ToClose;

    /// <summary>The relay read the stream's last event (<c>[DONE]</c>, <c>message_stop</c>): what follows is framing only.</summary>
    public void EndMarkerRead() => _endMarkerRead = true;

    /// <summary>At most this much of an unread body is read and dropped to keep a connection.</summary>
    public const int DrainLimit = 64 * 1024;

    /// <summary>
    /// Reads the rest of the body and drops it, giving up past <see cref="DrainLimit"/> bytes or when
    /// <paramref name="cancellationToken"/> fires; true when the body is now complete.
    /// </summary>
    public async ValueTask<bool> DrainAsync(CancellationToken cancellationToken)
    {
        var scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(4096);
        var dropped = 0;
        try
        {
            while (!Complete && dropped <= DrainLimit)
                dropped += await ReadAsync(scratch, cancellationToken);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException or ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
        }
        return Complete;
    }

    /// <summary>Moves what <paramref name="result"/> holds of the body into <paramref name="destination"/>, advancing the pipe.</summary>
    private int Take(ReadResult result, Span<byte> destination)
    {
        var input = result.Buffer;
        int written;
        if (_framing == Framing.Chunked)
        {
            if (!_chunked.Decode(input, destination, out var consumed, out written))
            {
                _reader.AdvanceTo(input.Start);
                throw new IOException("The upstream sent a malformed chunked body.");
            }
            Complete = _chunked.IsDone;
            // Nothing usable yet: wait for more than what was examined.
            _reader.AdvanceTo(consumed, written > 0 || Complete ? consumed : input.End);
        }
        else
        {
            var n = (int)Math.Min(input.Length, _framing == Framing.Length ? Math.Min(_remaining, destination.Length) : destination.Length);
            input.Slice(0, n).CopyTo(destination);
            _reader.AdvanceTo(input.GetPosition(n));
            written = n;
            if (_framing == Framing.Length)
            {
                _remaining -= n;
                Complete = _remaining == 0;
            }
        }
        if (written == 0 && !Complete && result.IsCompleted)
        {
            if (_framing == Framing.ToClose)
            {
                Complete = true;
                return 0;
            }
            throw new IOException("The upstream closed the connection before the body was complete.");
        }
        return written;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    // The connection owns the pipe: whoever wrapped this stream (SseRelay's reader) does not close it.
    protected override void Dispose(bool disposing)
    {
    }
}
