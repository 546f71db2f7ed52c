namespace EdgeGw.Buffers;

/// <summary>
/// One array (<see cref="BufferPool"/>) kept for the life of a parser or stream decoder (a line split across buffer
/// segments, an id, escaped arguments): grows, never shrinks, so steady state allocates nothing.
/// A mutable struct: keep it in a field and call it there, never through a copy.
/// </summary>
internal struct PooledScratch
{
    private byte[]? _array;

    /// <summary>At least <paramref name="size"/> bytes; the previous contents are not kept.</summary>
    public Span<byte> Get(int size)
    {
        if (_array is null || _array.Length < size)
        {
            if (_array is not null)
                BufferPool.Return(_array);
            _array = BufferPool.Rent(Math.Max(size, 1024));
        }
        return _array;
    }

    /// <summary>Copies <paramref name="sequence"/> into the scratch array: one contiguous span.</summary>
    public ReadOnlySpan<byte> Flatten(scoped in ReadOnlySequence<byte> sequence)
    {
        var length = (int)sequence.Length;
        var span = Get(length)[..length];
        sequence.CopyTo(span);
        return span;
    }

    public void Release()
    {
        if (_array is not null)
            BufferPool.Return(_array);
        _array = null;
    }
}
