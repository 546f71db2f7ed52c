using System.Buffers;
using System.Text.Json;

namespace EdgeGw.Json;

/// <summary>
/// A JSON string property assembled from already-escaped pieces written straight to a
/// <see cref="Utf8JsonWriter"/>'s output: client text goes as the client escaped it
/// (<see cref="RawJson"/>), so a prompt joined from many messages is never decoded nor held whole
/// a second time. The property must follow another value in the same object: it writes its own
/// leading comma, and the writer (flushed first) still expects one before its next property.
/// </summary>
internal sealed class JsonStringPieces
{
    private readonly IBufferWriter<byte> _output;

    private JsonStringPieces(IBufferWriter<byte> output) => _output = output;

    /// <summary>Escaped bytes written so far, not counting <see cref="Pending"/> headings.</summary>
    public long Written { get; private set; }

    /// <summary>Escaped bytes written before the next non-empty piece, and dropped if none comes before it is reset.</summary>
    public byte[]? Pending { get; set; }

    /// <summary>Writes <c>,"name":"</c>; <paramref name="output"/> must be the one <paramref name="writer"/> writes to.</summary>
    public static JsonStringPieces Start(Utf8JsonWriter writer, IBufferWriter<byte> output, ReadOnlySpan<byte> name)
    {
        writer.Flush();
        output.Write(",\""u8);
        output.Write(name);
        output.Write("\":\""u8);
        return new JsonStringPieces(output);
    }

    public void Escaped(ReadOnlySpan<byte> escaped)
    {
        if (escaped.IsEmpty)
            return;
        if (Pending is { } heading)
        {
            Pending = null;
            _output.Write(heading);
        }
        _output.Write(escaped);
        Written += escaped.Length;
    }

    /// <summary>A JSON string's text, copied escaped (without its quotes).</summary>
    public void String(RawJson value) => Escaped(value.Raw.Span[1..^1]);

    /// <summary>Unescaped UTF-8 (small: the gateway's own text), escaped here.</summary>
    public void Text(ReadOnlySpan<byte> utf8) => Escaped(JsonEncodedText.Encode(utf8, JsonOptions.Writer.Encoder).EncodedUtf8Bytes);

    public void End() => _output.Write("\""u8);
}
