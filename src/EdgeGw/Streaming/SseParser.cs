using System.Buffers;
using EdgeGw.Buffers;

namespace EdgeGw.Streaming;

/// <summary>
/// Incremental <c>text/event-stream</c> parser (WHATWG rules) that survives any split of the byte
/// stream: lines end in LF, CRLF or CR (a CR at the end of one read and its LF at the start of the
/// next count once), comments and unknown fields are skipped, multi-line <c>data:</c> is joined.
/// A UTF-8 byte-order mark at the very start is dropped, as the spec's UTF-8 decode does.
/// Data is copied into a pooled buffer so each event is contiguous for <c>Utf8JsonReader</c>.
/// A partial line is searched once: the next read resumes where the last search stopped, so a long
/// line arriving in many reads costs linear work; past <paramref name="maxEventBytes"/> it throws.
/// </summary>
internal sealed class SseParser(int maxEventBytes = IEventFramer.MaxEventBytes) : IEventFramer
{
    private static ReadOnlySpan<byte> LineEnds => "\r\n"u8;
    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    private byte[] _data = BufferPool.Rent(4096);
    private int _dataLength;
    private bool _hasData;
    private byte[] _eventType = BufferPool.Rent(64);
    private int _eventTypeLength;
    private PooledScratch _line;
    private bool _skipLeadingLf;
    private bool _resetBeforeNext;
    private bool _startChecked;
    private long _searched;

    public long ExaminedBytes { get; private set; }

    /// <summary>
    /// Consumes complete lines from <paramref name="buffer"/> until an event is dispatched.
    /// Returns false when the buffer holds no further complete event; the unconsumed tail stays in
    /// <paramref name="buffer"/> (a partial line) for the caller to present again with more bytes.
    /// </summary>
    public bool TryRead(ref ReadOnlySequence<byte> buffer, out SseEvent sseEvent)
    {
        ResetIfDispatched();
        var reader = new SequenceReader<byte>(buffer);
        try
        {
            if (!_startChecked && !TrySkipByteOrderMark(ref reader))
            {
                sseEvent = default;
                return false;
            }
            while (true)
            {
                if (_skipLeadingLf && reader.Remaining > 0)
                {
                    _skipLeadingLf = false;
                    if (reader.IsNext((byte)'\n', advancePast: true))
                        continue;
                }
                if (!TryReadLine(ref reader, out var line))
                {
                    sseEvent = default;
                    return false;
                }
                reader.TryRead(out var terminator);
                if (terminator == (byte)'\r')
                {
                    if (reader.Remaining == 0)
                        _skipLeadingLf = true;
                    else
                        reader.IsNext((byte)'\n', advancePast: true);
                }
                if (ProcessLine(line))
                {
                    sseEvent = Dispatched();
                    return true;
                }
            }
        }
        finally
        {
            buffer = buffer.Slice(reader.Position);
        }
    }

    /// <summary>
    /// The next line, its end left unread; the bytes a previous call already searched (the partial
    /// line it left) are skipped, not searched again. When no line end is in sight the reader stays
    /// at the line's start and the searched length is kept for the next call.
    /// </summary>
    private bool TryReadLine(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> line)
    {
        var start = reader.Position;
        var startConsumed = reader.Consumed;
        reader.Advance(_searched);
        var scanFrom = reader.Consumed;
        if (reader.TryAdvanceToAny(LineEnds, advancePastDelimiter: false))
        {
            ExaminedBytes += reader.Consumed - scanFrom + 1;
            _searched = 0;
            line = reader.Sequence.Slice(start, reader.Position);
            return true;
        }
        ExaminedBytes += reader.Remaining;
        _searched = reader.Length - startConsumed;
        reader.Rewind(reader.Consumed - startConsumed);
        if (_searched + _dataLength > maxEventBytes)
            throw new EventTooLargeException(maxEventBytes);
        line = default;
        return false;
    }

    /// <summary>
    /// At end of stream: treats an unterminated last line as complete and dispatches a pending
    /// event, so an upstream that omits the final blank line still delivers its last event.
    /// </summary>
    public bool TryFinish(ReadOnlySequence<byte> remaining, out SseEvent sseEvent)
    {
        ResetIfDispatched();
        _searched = 0;
        if (!_startChecked)
        {
            var reader = new SequenceReader<byte>(remaining);
            remaining = TrySkipByteOrderMark(ref reader) ? remaining.Slice(reader.Position) : default;
        }
        if (!remaining.IsEmpty && ProcessLine(remaining))
        {
            sseEvent = Dispatched();
            return true;
        }
        if (_hasData)
        {
            sseEvent = Dispatched();
            return true;
        }
        sseEvent = default;
        return false;
    }

    /// <summary>
    /// Drops a leading byte-order mark (a .NET <c>StreamWriter</c> upstream sends one); false while
    /// the buffer is too short to tell, so the caller waits for more bytes.
    /// </summary>
    private bool TrySkipByteOrderMark(ref SequenceReader<byte> reader)
    {
        Span<byte> head = stackalloc byte[3];
        var length = (int)Math.Min(reader.Remaining, head.Length);
        reader.TryCopyTo(head[..length]);
        if (length < head.Length && ByteOrderMark.StartsWith(head[..length]))
            return false;
        _startChecked = true;
        if (head.SequenceEqual(ByteOrderMark))
            reader.Advance(ByteOrderMark.Length);
        return true;
    }

    private SseEvent Dispatched()
    {
        _resetBeforeNext = true;
        return new SseEvent(_eventType.AsSpan(0, _eventTypeLength), _data.AsSpan(0, _dataLength));
    }

    private void ResetIfDispatched()
    {
        if (!_resetBeforeNext)
            return;
        _resetBeforeNext = false;
        _dataLength = 0;
        _hasData = false;
        _eventTypeLength = 0;
    }

    /// <summary>Applies one line; returns true when it was the blank line that dispatches an event.</summary>
    private bool ProcessLine(in ReadOnlySequence<byte> sequence)
    {
        var line = sequence.IsSingleSegment ? sequence.FirstSpan : _line.Flatten(sequence);
        if (line.IsEmpty)
        {
            if (_hasData)
                return true;
            _eventTypeLength = 0; // an event with no data is discarded, per the spec
            return false;
        }
        if (line[0] == (byte)':')
            return false;

        var colon = line.IndexOf((byte)':');
        var field = colon < 0 ? line : line[..colon];
        var value = colon < 0 ? default : line[(colon + 1)..];
        if (!value.IsEmpty && value[0] == (byte)' ')
            value = value[1..];

        if (field.SequenceEqual("data"u8))
        {
            var extra = _hasData ? 1 : 0;
            if (_dataLength + extra + value.Length > maxEventBytes)
                throw new EventTooLargeException(maxEventBytes);
            EnsureData(_dataLength + extra + value.Length);
            if (_hasData)
                _data[_dataLength++] = (byte)'\n';
            value.CopyTo(_data.AsSpan(_dataLength));
            _dataLength += value.Length;
            _hasData = true;
        }
        else if (field.SequenceEqual("event"u8))
        {
            if (_eventType.Length < value.Length)
            {
                BufferPool.Return(_eventType);
                _eventType = BufferPool.Rent(value.Length);
            }
            value.CopyTo(_eventType);
            _eventTypeLength = value.Length;
        }
        return false;
    }

    private void EnsureData(int needed)
    {
        if (_data.Length >= needed)
            return;
        var next = BufferPool.Rent(Math.Max(needed, _data.Length * 2));
        _data.AsSpan(0, _dataLength).CopyTo(next);
        BufferPool.Return(_data);
        _data = next;
    }

    public void Dispose()
    {
        BufferPool.Return(_data);
        BufferPool.Return(_eventType);
        _line.Release();
        _data = _eventType = [];
    }
}
