using System.Buffers;

namespace EdgeGw.Streaming;

/// <summary>
/// Cuts an upstream byte stream into events, whatever the split of the reads: SSE
/// (<see cref="SseParser"/>) or one JSON object a line (<see cref="NdjsonFramer"/>).
/// </summary>
internal interface IEventFramer : IDisposable
{
    /// <summary>
    /// Consumes <paramref name="buffer"/> up to the next complete event; false when it holds none,
    /// its unconsumed tail left for the caller to present again with more bytes.
    /// </summary>
    bool TryRead(ref ReadOnlySequence<byte> buffer, out SseEvent sseEvent);

    /// <summary>At end of stream: delivers a last event whose terminator never came.</summary>
    bool TryFinish(ReadOnlySequence<byte> remaining, out SseEvent sseEvent);
}
