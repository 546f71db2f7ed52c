using System.IO.Pipelines;
using EdgeGw.Buffers;
using Microsoft.AspNetCore.Http.Features;

namespace EdgeGw.Cache;

/// <summary>
/// Keeps a copy of the bytes a streamed answer sends, for the cache: the response body feature is
/// swapped for one whose writer copies each advanced span into one growing pooled buffer before
/// passing it on. Only requests that may store are captured, so the relay path of every other
/// request is untouched; a captured one pays a memcpy per event and no per-event object. Past
/// <see cref="_limit"/> bytes capturing stops (the answer is too large to cache anyway).
/// </summary>
internal sealed class StreamCapture : PipeWriter, IHttpResponseBodyFeature, IDisposable
{
    private readonly IHttpResponseBodyFeature _inner;
    private readonly PipeWriter _writer;
    private readonly int _limit;
    private PooledBufferWriter? _copy = new(4096);
    private Memory<byte> _lent;
    private Stream? _stream;

    private StreamCapture(IHttpResponseBodyFeature inner, int limit)
    {
        _inner = inner;
        _writer = inner.Writer;
        _limit = limit;
    }

    /// <summary>Starts capturing <paramref name="http"/>'s response, up to <paramref name="limit"/> bytes.</summary>
    public static StreamCapture Start(HttpContext http, int limit)
    {
        var capture = new StreamCapture(http.Features.GetRequiredFeature<IHttpResponseBodyFeature>(), limit);
        http.Features.Set<IHttpResponseBodyFeature>(capture);
        return capture;
    }

    /// <summary>Everything sent so far; false once the answer outgrew the limit.</summary>
    public bool TryGetBytes(out ReadOnlyMemory<byte> bytes)
    {
        bytes = _copy?.WrittenMemory ?? default;
        return _copy is not null;
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) => _lent = _writer.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override void Advance(int bytes)
    {
        if (_copy is not null)
        {
            if (_copy.WrittenCount + bytes > _limit)
            {
                _copy.Dispose();
                _copy = null;
            }
            else
            {
                _copy.Write(_lent.Span[..bytes]);
            }
        }
        _lent = default;
        _writer.Advance(bytes);
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => _writer.FlushAsync(cancellationToken);

    public override void CancelPendingFlush() => _writer.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => _writer.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => _writer.CompleteAsync(exception);

    public override bool CanGetUnflushedBytes => _writer.CanGetUnflushedBytes;

    public override long UnflushedBytes => _writer.UnflushedBytes;

    // IHttpResponseBodyFeature: the writer is this; a Stream writer goes through it too.
    Stream IHttpResponseBodyFeature.Stream => _stream ??= AsStream(leaveOpen: true);

    PipeWriter IHttpResponseBodyFeature.Writer => this;

    void IHttpResponseBodyFeature.DisableBuffering() => _inner.DisableBuffering();

    Task IHttpResponseBodyFeature.StartAsync(CancellationToken cancellationToken) => _inner.StartAsync(cancellationToken);

    Task IHttpResponseBodyFeature.SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken) =>
        _inner.SendFileAsync(path, offset, count, cancellationToken);

    Task IHttpResponseBodyFeature.CompleteAsync() => _inner.CompleteAsync();

    public void Dispose()
    {
        _copy?.Dispose();
        _copy = null;
    }
}
