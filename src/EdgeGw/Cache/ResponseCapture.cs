using EdgeGw.Buffers;
using Microsoft.AspNetCore.Http.Features;

namespace EdgeGw.Cache;

/// <summary>
/// Copies the answer's bytes as they go to the client, whichever of Body or BodyWriter the adapter
/// writes with, so a miss can be stored without touching any provider adapter. Stops copying (and
/// the answer is not stored) past <c>limit</c> bytes.
/// </summary>
internal sealed class ResponseCapture : Stream
{
    private readonly Stream _inner;
    private readonly int _limit;
    private PooledBufferWriter? _copy;

    private ResponseCapture(Stream inner, int limit)
    {
        _inner = inner;
        _limit = limit;
        _copy = new PooledBufferWriter(Math.Min(limit, 16 * 1024));
    }

    /// <summary>The bytes sent, or null when they went past the limit.</summary>
    public ReadOnlyMemory<byte>? Captured => _copy?.WrittenMemory;

    /// <summary>Puts a capture in front of the response body; <see cref="DetachAsync"/> puts the original back.</summary>
    public static (ResponseCapture Capture, IHttpResponseBodyFeature Original) Attach(HttpContext context, int limit)
    {
        var original = context.Features.Get<IHttpResponseBodyFeature>()!;
        var capture = new ResponseCapture(original.Stream, limit);
        context.Response.Body = capture;
        return (capture, original);
    }

    /// <summary>Flushes what the adapter left in the pipe and restores the response's own body.</summary>
    public static async ValueTask DetachAsync(HttpContext context, IHttpResponseBodyFeature original)
    {
        await context.Response.BodyWriter.FlushAsync();
        context.Features.Set(original);
    }

    public void Release()
    {
        _copy?.Dispose();
        _copy = null;
    }

    private void Copy(ReadOnlySpan<byte> bytes)
    {
        if (_copy is null)
            return;
        if (_copy.WrittenCount + bytes.Length > _limit)
        {
            Release();
            return;
        }
        _copy.Write(bytes);
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        Copy(buffer.AsSpan(offset, count));
        _inner.Write(buffer, offset, count);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Copy(buffer.Span);
        return _inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);
    public override void Flush() => _inner.Flush();
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
