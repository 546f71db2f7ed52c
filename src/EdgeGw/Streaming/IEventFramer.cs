using System.Buffers;

namespace EdgeGw.Streaming;

/// <summary>
/// Cuts an upstream byte stream into events, whatever the split of the reads: SSE
/// (<see cref="SseParser"/>) or one JSON object a line (<see cref="NdjsonFramer"/>).
/// </summary>
internal interface IEventFramer : IDisposable
{
    /// <summary>The largest event (or pending line) a framer holds: 16 MB, far above any real chunk.</summary>
    const int MaxEventBytes = 16 * 1024 * 1024;

    /// <summary>Bytes scanned for line ends so far: linear in the input, however it is split.</summary>
    long ExaminedBytes { get; }

    /// <summary>
    /// Consumes <paramref name="buffer"/> up to the next complete event; false when it holds none,
    /// its unconsumed tail left for the caller to present again with more bytes.
    /// </summary>
    /// <exception cref="EventTooLargeException">an event or a pending line passed <see cref="MaxEventBytes"/>.</exception>
    /// <exception cref="StreamFramingException">the bytes cannot be framed (a binary framer's corrupt frame).</exception>
    bool TryRead(ref ReadOnlySequence<byte> buffer, out SseEvent sseEvent);

    /// <summary>At end of stream: delivers a last event whose terminator never came.</summary>
    bool TryFinish(ReadOnlySequence<byte> remaining, out SseEvent sseEvent);
}
