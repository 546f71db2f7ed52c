using System.Buffers;

namespace EdgeGw.Upstream.Http1;

/// <summary>
/// <c>Transfer-Encoding: chunked</c> decoding as a resumable state machine: it takes whatever bytes the
/// pipe holds, copies out the data and stops anywhere (inside a size line, a chunk, its CRLF) to go on
/// when more arrive. No allocation.
/// </summary>
internal struct ChunkedDecoder
{
    private const int MaxLine = 4096; // a size line with extensions, or one trailer
    private const int MaxTrailers = 64;

    private enum State : byte { Size, Data, DataEnd, Trailer, Done }

    private State _state;
    private long _remaining;
    private int _trailers;

    public readonly bool IsDone => _state == State.Done;

    public void Reset() => this = default;

    /// <summary>
    /// Decodes from <paramref name="buffer"/> into <paramref name="destination"/>; <paramref name="consumed"/> is
    /// how far the input was used. False when the framing is broken.
    /// </summary>
    public bool Decode(in ReadOnlySequence<byte> buffer, Span<byte> destination, out SequencePosition consumed, out int written)
    {
        var reader = new SequenceReader<byte>(buffer);
        written = 0;
        var ok = true;
        while (ok)
        {
            if (_state == State.Size)
            {
                if (!reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8))
                {
                    ok = reader.Remaining <= MaxLine;
                    break;
                }
                ok = TryParseSize(line, out _remaining);
                _state = _remaining == 0 ? State.Trailer : State.Data;
            }
            else if (_state == State.Data)
            {
                if (written == destination.Length || reader.End)
                    break;
                var span = reader.UnreadSpan;
                var n = (int)Math.Min(Math.Min(_remaining, span.Length), destination.Length - written);
                span[..n].CopyTo(destination[written..]);
                reader.Advance(n);
                written += n;
                _remaining -= n;
                if (_remaining == 0)
                    _state = State.DataEnd;
            }
            else if (_state == State.DataEnd)
            {
                if (reader.Remaining < 2)
                    break;
                ok = reader.IsNext("\r\n"u8, advancePast: true);
                _state = State.Size;
            }
            else if (_state == State.Trailer)
            {
                if (!reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8))
                {
                    ok = reader.Remaining <= MaxLine;
                    break;
                }
                if (line.IsEmpty)
                    _state = State.Done;
                else
                    ok = ++_trailers <= MaxTrailers && line.Length <= MaxLine;
            }
            else
            {
                break;
            }
        }
        consumed = reader.Position;
        return ok;
    }

    private static bool TryParseSize(in ReadOnlySequence<byte> line, out long size)
    {
        size = 0;
        if (line.Length > MaxLine)
            return false;
        Span<byte> copy = stackalloc byte[(int)Math.Min(line.Length, 32)];
        line.Slice(0, copy.Length).CopyTo(copy);
        var digits = 0;
        foreach (var b in copy)
        {
            var value = b is >= (byte)'0' and <= (byte)'9' ? b - '0'
                : b is >= (byte)'a' and <= (byte)'f' ? b - 'a' + 10
                : b is >= (byte)'A' and <= (byte)'F' ? b - 'A' + 10 : -1;
            if (value < 0)
                break; // ";ext" or whitespace ends the size
            if (++digits > 15)
                return false;
            size = size * 16 + value;
        }
        return digits > 0;
    }
}
