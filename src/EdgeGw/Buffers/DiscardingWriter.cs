using System.Buffers;

namespace EdgeGw.Buffers;

/// <summary>
/// A writer whose bytes go nowhere: a stream translator keeps its state (usage, generated text)
/// while the client it wrote for is gone. One pooled array, grown as asked and reused for every write.
/// </summary>
internal sealed class DiscardingWriter : IBufferWriter<byte>, IDisposable
{
    private byte[]? _array;

    public void Advance(int count)
    {
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => Array(sizeHint);

    public Span<byte> GetSpan(int sizeHint = 0) => Array(sizeHint);

    private byte[] Array(int sizeHint)
    {
        if (_array is null || _array.Length < sizeHint)
        {
            if (_array is not null)
                ArrayPool<byte>.Shared.Return(_array);
            _array = ArrayPool<byte>.Shared.Rent(Math.Max(sizeHint, 4096));
        }
        return _array;
    }

    public void Dispose()
    {
        if (_array is not null)
            ArrayPool<byte>.Shared.Return(_array);
        _array = null;
    }
}
