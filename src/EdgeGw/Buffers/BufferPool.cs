using System.Buffers;

namespace EdgeGw.Buffers;

/// <summary>
/// Byte arrays for request-sized buffers: up to 1 MB from the shared pool, larger ones from the GC
/// and never pooled. The shared pool keeps what is returned to it (per thread and per core, up to
/// 1 GB per array) until a gen-2 GC at least a minute later, so pooling a large request's buffers
/// kept them for good: one 8 MB prompt to an <c>anthropic/</c> deployment left 235 MB held.
/// </summary>
internal static class BufferPool
{
    public const int MaxPooledLength = 1 << 20;

    public static byte[] Rent(int minimumLength) => minimumLength <= MaxPooledLength
        ? ArrayPool<byte>.Shared.Rent(minimumLength)
        : GC.AllocateUninitializedArray<byte>(minimumLength);

    /// <summary>Gives back an array from <see cref="Rent"/>; a large one is left to the GC.</summary>
    public static void Return(byte[] array)
    {
        if (array.Length is > 0 and <= MaxPooledLength)
            ArrayPool<byte>.Shared.Return(array);
    }
}
