using System.Buffers.Binary;
using System.IO.Hashing;
using EdgeGw.Buffers;

namespace EdgeGw.Streaming;

/// <summary>
/// Cuts <c>application/vnd.amazon.eventstream</c> (Bedrock's ConverseStream) into events:
/// <code>
///   total u32 | headers u32 | CRC32(prelude 8 B) | headers | payload | CRC32(all before)
///   header := name length u8 | name | value type u8 | value
/// </code>
/// Both CRCs are checked: the prelude's as soon as its 12 bytes are in (a corrupt length is caught
/// before waiting for bytes that will never come), the message's once the frame is whole. A
/// <c>:message-type: event</c> frame yields its <c>:event-type</c> and JSON payload; an
/// <c>exception</c> frame its <c>:exception-type</c> and payload, an <c>error</c> frame its
/// <c>:error-code</c> and <c>:error-message</c>, marked by <see cref="SseEvent.Kind"/>. Frames of an
/// unknown message type are skipped, as SSE skips unknown fields. A frame within one buffer segment
/// is read in place; one spanning segments is copied into a pooled array, so steady state allocates nothing.
/// </summary>
internal sealed class AwsEventStreamFramer(int maxEventBytes = IEventFramer.MaxEventBytes) : IEventFramer
{
    /// <summary>Value bytes by value type (<see cref="AwsEventStream.ValueType"/>); -1: a uint16 length comes first (bytes, string).</summary>
    private static ReadOnlySpan<sbyte> ValueLengths => [0, 0, 1, 2, 4, 8, -1, -1, 8, 16];

    private PooledScratch _frame;
    private int _pendingLength; // a frame whose prelude passed its CRC, waiting for the rest of its bytes

    /// <summary>Bytes of frames decoded so far (each prelude is read once however the frame arrives): linear in the input.</summary>
    public long ExaminedBytes { get; private set; }

    public bool TryRead(ref ReadOnlySequence<byte> buffer, out SseEvent sseEvent)
    {
        while (true)
        {
            if (_pendingLength == 0 && !TryReadPrelude(buffer, out _pendingLength))
                break;
            var length = _pendingLength;
            if (buffer.Length < length)
                break;
            var sequence = buffer.Slice(0, length);
            var frame = sequence.IsSingleSegment ? sequence.FirstSpan : _frame.Flatten(sequence);
            _pendingLength = 0;
            ExaminedBytes += length;
            buffer = buffer.Slice(length); // the frame's memory stays the pipe's until the caller advances
            if (Decode(frame, out sseEvent))
                return true;
        }
        sseEvent = default;
        return false;
    }

    /// <summary>The relay finishes every whole frame first: bytes left at the end of the stream are a cut-off frame.</summary>
    public bool TryFinish(ReadOnlySequence<byte> remaining, out SseEvent sseEvent)
    {
        var expected = _pendingLength;
        _pendingLength = 0;
        if (!remaining.IsEmpty)
        {
            throw new AwsEventStreamException(expected > 0
                ? $"ended inside a frame ({remaining.Length} of its {expected} bytes)"
                : $"ended inside a frame's prelude ({remaining.Length} of its {AwsEventStream.PreludeBytes} bytes)");
        }
        sseEvent = default;
        return false;
    }

    /// <summary>The frame's total length once its prelude is in and valid; false while fewer than 12 bytes are.</summary>
    private bool TryReadPrelude(in ReadOnlySequence<byte> buffer, out int length)
    {
        length = 0;
        if (buffer.Length < AwsEventStream.PreludeBytes)
            return false;
        Span<byte> copy = stackalloc byte[AwsEventStream.PreludeBytes];
        var first = buffer.FirstSpan;
        scoped ReadOnlySpan<byte> prelude;
        if (first.Length >= AwsEventStream.PreludeBytes)
        {
            prelude = first[..AwsEventStream.PreludeBytes];
        }
        else
        {
            buffer.Slice(0, AwsEventStream.PreludeBytes).CopyTo(copy);
            prelude = copy;
        }
        if (Crc32.HashToUInt32(prelude[..8]) != BinaryPrimitives.ReadUInt32BigEndian(prelude[8..]))
            throw new AwsEventStreamException("sent a frame whose prelude CRC does not match");
        var total = BinaryPrimitives.ReadUInt32BigEndian(prelude);
        var headers = BinaryPrimitives.ReadUInt32BigEndian(prelude[4..]);
        if (total < AwsEventStream.MinFrameBytes)
            throw new AwsEventStreamException($"sent a frame of {total} bytes, under the {AwsEventStream.MinFrameBytes}-byte minimum");
        if (total > (uint)maxEventBytes)
            throw new EventTooLargeException(maxEventBytes);
        if (headers > total - AwsEventStream.MinFrameBytes)
            throw new AwsEventStreamException($"sent a frame whose {headers} bytes of headers do not fit its {total} bytes");
        length = (int)total;
        return true;
    }

    /// <summary>Checks the message CRC and reads the headers; false for a frame of a message type it does not know.</summary>
    private static bool Decode(ReadOnlySpan<byte> frame, out SseEvent sseEvent)
    {
        var checkedLength = frame.Length - AwsEventStream.MessageCrcBytes;
        if (Crc32.HashToUInt32(frame[..checkedLength]) != BinaryPrimitives.ReadUInt32BigEndian(frame[checkedLength..]))
            throw new AwsEventStreamException("sent a frame whose message CRC does not match");
        var headersLength = (int)BinaryPrimitives.ReadUInt32BigEndian(frame[4..]);
        var headers = frame.Slice(AwsEventStream.PreludeBytes, headersLength);
        var payload = frame[(AwsEventStream.PreludeBytes + headersLength)..checkedLength];

        ReadOnlySpan<byte> messageType = default, eventType = default, exceptionType = default, errorCode = default, errorMessage = default;
        var position = 0;
        while (position < headers.Length)
        {
            var isText = NextHeader(headers, ref position, out var nameRange, out var valueRange);
            var name = headers[nameRange];
            if (!isText || name.IsEmpty || name[0] != (byte)':')
                continue;
            var value = headers[valueRange];
            if (name.SequenceEqual(AwsEventStream.MessageTypeHeader))
                messageType = value;
            else if (name.SequenceEqual(AwsEventStream.EventTypeHeader))
                eventType = value;
            else if (name.SequenceEqual(AwsEventStream.ExceptionTypeHeader))
                exceptionType = value;
            else if (name.SequenceEqual(AwsEventStream.ErrorCodeHeader))
                errorCode = value;
            else if (name.SequenceEqual(AwsEventStream.ErrorMessageHeader))
                errorMessage = value;
        }

        if (messageType.SequenceEqual(AwsEventStream.EventMessage))
            sseEvent = new SseEvent(eventType, payload);
        else if (messageType.SequenceEqual(AwsEventStream.ExceptionMessage))
            sseEvent = new SseEvent(exceptionType, payload, SseEventKind.Exception);
        else if (messageType.SequenceEqual(AwsEventStream.ErrorMessage))
            sseEvent = new SseEvent(errorCode, errorMessage, SseEventKind.Error);
        else
        {
            sseEvent = default;
            return false;
        }
        return true;
    }

    /// <summary>
    /// Reads the header at <paramref name="position"/> and moves past it; true when its value is
    /// text (a string or bytes value), whose bytes <paramref name="value"/> then spans.
    /// </summary>
    private static bool NextHeader(ReadOnlySpan<byte> headers, ref int position, out Range name, out Range value)
    {
        var nameLength = headers[position];
        var typeAt = position + 1 + nameLength;
        if (typeAt >= headers.Length)
            throw HeaderOverrun();
        name = new Range(position + 1, typeAt);
        var type = headers[typeAt];
        var start = typeAt + 1;
        if (type >= ValueLengths.Length)
            throw new AwsEventStreamException($"sent a header of unknown value type {type}");
        int length = ValueLengths[type];
        var isText = length < 0;
        if (isText)
        {
            if (headers.Length - start < 2)
                throw HeaderOverrun();
            length = BinaryPrimitives.ReadUInt16BigEndian(headers[start..]);
            start += 2;
        }
        if (headers.Length - start < length)
            throw HeaderOverrun();
        value = new Range(start, start + length);
        position = start + length;
        return isText;
    }

    private static AwsEventStreamException HeaderOverrun() => new("sent a header that runs past its frame's headers");

    public void Dispose() => _frame.Release();
}
