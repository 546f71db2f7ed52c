using System.Text.Json;
using EdgeGw.Buffers;

namespace EdgeGw.Json;

/// <summary>
/// One already-validated JSON value as its bytes, read on demand with <see cref="Utf8JsonReader"/>:
/// the translators' view of <c>messages</c>. Unlike <see cref="JsonDocument"/> it rents no metadata
/// sized like the payload and decodes no string it only copies (<see cref="WriteTo"/> writes the
/// bytes as they came), so a large prompt is never held twice. Lookups rescan the value: fine for
/// a message's few properties.
/// </summary>
internal readonly struct RawJson(ReadOnlyMemory<byte> raw)
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 256 };

    /// <summary>Exactly the value's bytes: a string includes its quotes and escapes.</summary>
    public ReadOnlyMemory<byte> Raw { get; } = raw;

    public JsonValueKind ValueKind => Raw.IsEmpty ? JsonValueKind.Undefined : Raw.Span[0] switch
    {
        (byte)'{' => JsonValueKind.Object,
        (byte)'[' => JsonValueKind.Array,
        (byte)'"' => JsonValueKind.String,
        (byte)'t' => JsonValueKind.True,
        (byte)'f' => JsonValueKind.False,
        (byte)'n' => JsonValueKind.Null,
        _ => JsonValueKind.Number,
    };

    /// <summary>A string with no characters (<c>""</c>).</summary>
    public bool IsEmptyString => Raw.Length == 2 && ValueKind == JsonValueKind.String;

    /// <summary>The first value in <paramref name="json"/> (whitespace before it skipped), validating it on the way.</summary>
    public static RawJson Read(ReadOnlyMemory<byte> json)
    {
        var reader = new Utf8JsonReader(json.Span, Options);
        if (!reader.Read())
            return default;
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return new RawJson(json[start..(int)reader.BytesConsumed]);
    }

    /// <summary>
    /// The top-level <c>messages</c> of a request body, in place, and the body with <c>[]</c> in its
    /// place for a <see cref="JsonDocument"/>: a document over the whole body would rent metadata as
    /// large as the body from the shared pool, which keeps it. Skip validates <c>messages</c>; the
    /// document parse validates the rest.
    /// </summary>
    public static RawJson TakeMessages(ReadOnlyMemory<byte> body, out PooledBufferWriter rest)
    {
        var reader = new Utf8JsonReader(body.Span, Options);
        int start = 0, end = 0;
        if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isMessages = reader.ValueTextEquals("messages"u8);
                reader.Read();
                var valueStart = (int)reader.TokenStartIndex;
                reader.Skip();
                if (isMessages)
                    (start, end) = (valueStart, (int)reader.BytesConsumed);
            }
        }
        rest = new PooledBufferWriter(body.Length - (end - start) + 2);
        rest.Write(body.Span[..start]);
        if (end > start)
            rest.Write("[]"u8);
        rest.Write(body.Span[end..]);
        return end > start ? new RawJson(body[start..end]) : default;
    }

    /// <summary>The property's value; with duplicates the last, as <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/>.</summary>
    public bool TryGetProperty(ReadOnlySpan<byte> name, out RawJson value)
    {
        value = default;
        if (ValueKind != JsonValueKind.Object)
            return false;
        var found = false;
        var reader = new Utf8JsonReader(Raw.Span, Options);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(name);
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            if (match)
            {
                value = new RawJson(Raw[start..(int)reader.BytesConsumed]);
                found = true;
            }
        }
        return found;
    }

    public ArrayEnumerator EnumerateArray() =>
        ValueKind == JsonValueKind.Array ? new ArrayEnumerator(Raw) : throw new InvalidOperationException("The value is not an array.");

    public int GetArrayLength()
    {
        var count = 0;
        foreach (var _ in EnumerateArray())
            count++;
        return count;
    }

    /// <summary>The decoded string (small values: roles, ids, types); large text goes through <see cref="WriteTo"/>.</summary>
    public string? GetString()
    {
        var reader = new Utf8JsonReader(Raw.Span, Options);
        reader.Read();
        return reader.GetString();
    }

    /// <summary>The string's UTF-8 text: the bytes themselves when nothing is escaped, else one unescaped copy.</summary>
    public ReadOnlyMemory<byte> GetUtf8()
    {
        var inner = Raw[1..^1];
        if (inner.Span.IndexOf((byte)'\\') < 0)
            return inner;
        var reader = new Utf8JsonReader(Raw.Span, Options);
        reader.Read();
        var text = new byte[inner.Length];
        return text.AsMemory(0, reader.CopyString(text));
    }

    public bool ValueEquals(ReadOnlySpan<byte> text)
    {
        if (ValueKind != JsonValueKind.String)
            return false;
        var reader = new Utf8JsonReader(Raw.Span, Options);
        reader.Read();
        return reader.ValueTextEquals(text);
    }

    public bool TryGetInt32(out int value)
    {
        value = 0;
        if (ValueKind != JsonValueKind.Number)
            return false;
        var reader = new Utf8JsonReader(Raw.Span, Options);
        reader.Read();
        return reader.TryGetInt32(out value);
    }

    /// <summary>Writes the value's bytes unchanged (they were validated when the body was read).</summary>
    public void WriteTo(Utf8JsonWriter json) => json.WriteRawValue(Raw.Span, skipInputValidation: true);

    /// <summary>The items of an array, each found by skipping the one before.</summary>
    public struct ArrayEnumerator(ReadOnlyMemory<byte> array)
    {
        private int _next = 1;

        public RawJson Current { get; private set; }

        public readonly ArrayEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            var span = array.Span;
            while (_next < span.Length && span[_next] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)',')
                _next++;
            if (_next >= span.Length || span[_next] == (byte)']')
                return false;
            var reader = new Utf8JsonReader(span[_next..], Options);
            reader.Read();
            reader.Skip();
            var length = (int)reader.BytesConsumed;
            Current = new RawJson(array.Slice(_next, length));
            _next += length;
            return true;
        }
    }
}
