using System.Buffers;

namespace EdgeGw.Buffers;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over an array from <see cref="BufferPool"/> (pooled up to 1 MB);
/// reusable after <see cref="Reset"/>, given back on <see cref="Dispose"/>.
/// </summary>
internal sealed class PooledBufferWriter(int initialCapacity = 4096) : IBufferWriter<byte>, IDisposable
{
    private static readonly SlotPool<PooledBufferWriter> Pool = new(SlotPool.RequestsInFlight);

    private byte[] _buffer = BufferPool.Rent(initialCapacity);
    private int _written;
    private bool _pooled;
    private bool _inPool;

    /// <summary>
    /// A writer that goes back to a pool of writers on <see cref="Dispose"/> (the request's body and the upstream's
    /// answer, 32 B a request each otherwise). Only for a writer with one owner that disposes it once: a dispose after
    /// it was handed out again would give it to two owners.
    /// </summary>
    public static PooledBufferWriter Rent(int initialCapacity)
    {
        if (Pool.TryRent() is not { } writer)
            return new PooledBufferWriter(initialCapacity) { _pooled = true };
        writer._inPool = false;
        writer._buffer = BufferPool.Rent(initialCapacity);
        return writer;
    }

    public int WrittenCount => _written;
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public void Reset() => _written = 0;

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_written));
        _written += bytes.Length;
    }

    private void Ensure(int sizeHint)
    {
        if (sizeHint < 1)
            sizeHint = 1;
        if (_buffer.Length - _written >= sizeHint)
            return;
        Grow(sizeHint);
    }

    private void Grow(int sizeHint)
    {
        var next = BufferPool.Rent(Math.Max(_buffer.Length * 2, _written + sizeHint));
        _buffer.AsSpan(0, _written).CopyTo(next);
        BufferPool.Return(_buffer);
        _buffer = next;
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _written = 0;
        BufferPool.Return(buffer);
        if (_pooled && !_inPool)
        {
            _inPool = true;
            Pool.Return(this);
        }
    }
}
