using System.Buffers;
using EdgeGw.Buffers;

namespace EdgeGw.Streaming;

/// <summary>
/// Newline-delimited JSON (Ollama's <c>application/x-ndjson</c>): each non-blank line is one event,
/// delivered as <see cref="SseEvent.Data"/> with no event type. Splits only on LF (a trailing CR is
/// dropped), so a read that ends inside a line or a UTF-8 sequence just waits for the rest. It
/// remembers how far it has searched a partial line, so a long line arriving in many reads is
/// scanned once; a line spanning buffer segments is copied into one pooled array. A line past
/// <paramref name="maxEventBytes"/> throws.
/// </summary>
internal sealed class NdjsonFramer(int maxEventBytes = IEventFramer.MaxEventBytes) : IEventFramer
{
    private PooledScratch _line;
    private long _searched;

    public long ExaminedBytes { get; private set; }

    public bool TryRead(ref ReadOnlySequence<byte> buffer, out SseEvent sseEvent)
    {
        while (true)
        {
            var unsearched = buffer.Slice(_searched);
            var end = unsearched.PositionOf((byte)'\n');
            if (end is null)
            {
                ExaminedBytes += unsearched.Length;
                _searched = buffer.Length;
                if (_searched > maxEventBytes)
                    throw new EventTooLargeException(maxEventBytes);
                sseEvent = default;
                return false;
            }
            ExaminedBytes += unsearched.Slice(0, end.Value).Length + 1;
            _searched = 0;
            var line = buffer.Slice(0, end.Value);
            buffer = buffer.Slice(buffer.GetPosition(1, end.Value));
            if (Event(line, out sseEvent))
                return true;
        }
    }

    public bool TryFinish(ReadOnlySequence<byte> remaining, out SseEvent sseEvent)
    {
        _searched = 0;
        return Event(remaining, out sseEvent);
    }

    /// <summary>False for a blank line, which carries no event.</summary>
    private bool Event(ReadOnlySequence<byte> sequence, out SseEvent sseEvent)
    {
        var line = sequence.IsSingleSegment ? sequence.FirstSpan : _line.Flatten(sequence);
        line = line.TrimEnd((byte)'\r');
        if (line.Trim(" \t"u8).IsEmpty)
        {
            sseEvent = default;
            return false;
        }
        sseEvent = new SseEvent(default, line);
        return true;
    }

    public void Dispose() => _line.Release();
}
