using System.Buffers.Binary;
using System.Text;

namespace EdgeGw.Cache;

/// <summary>
/// A cached answer, kept as the bytes to send (a hit writes <see cref="Body"/> as is, never
/// re-serialised). <see cref="Body"/> is the non-streamed response of the endpoint that stored it
/// (see <see cref="CacheFormat"/>), its <c>model</c> already the model group's name.
/// </summary>
internal sealed class CacheEntry(CacheFormat format, long createdUnixMs, long promptTokens, long completionTokens, string modelGroup,
    ReadOnlyMemory<byte> body)
{
    // Header: magic, version, format, created, prompt, completion, group length; then the group (UTF-8), then the body.
    private const byte Magic = (byte)'E';
    private const byte Version = 1;
    private const int HeaderBytes = 3 + 3 * sizeof(long) + sizeof(ushort);

    public CacheFormat Format { get; } = format;
    /// <summary>When the answer was stored (unix ms): <c>s-maxage</c> refuses older ones.</summary>
    public long CreatedUnixMs { get; } = createdUnixMs;
    public long PromptTokens { get; } = promptTokens;
    public long CompletionTokens { get; } = completionTokens;
    public string ModelGroup { get; } = modelGroup;
    public ReadOnlyMemory<byte> Body { get; } = body;

    /// <summary>What the entry costs the local store's byte budget (and the size limit's measure).</summary>
    public int Size => HeaderBytes + ModelGroup.Length * 3 + Body.Length;

    /// <summary>The compact form stored in Redis.</summary>
    public byte[] Serialize()
    {
        var groupBytes = Encoding.UTF8.GetByteCount(ModelGroup);
        var bytes = new byte[HeaderBytes + groupBytes + Body.Length];
        var span = bytes.AsSpan();
        span[0] = Magic;
        span[1] = Version;
        span[2] = (byte)Format;
        BinaryPrimitives.WriteInt64LittleEndian(span[3..], CreatedUnixMs);
        BinaryPrimitives.WriteInt64LittleEndian(span[11..], PromptTokens);
        BinaryPrimitives.WriteInt64LittleEndian(span[19..], CompletionTokens);
        BinaryPrimitives.WriteUInt16LittleEndian(span[27..], (ushort)groupBytes);
        Encoding.UTF8.GetBytes(ModelGroup, span.Slice(HeaderBytes, groupBytes));
        Body.Span.CopyTo(span[(HeaderBytes + groupBytes)..]);
        return bytes;
    }

    /// <summary>The entry <see cref="Serialize"/> wrote; null for anything else (another writer's key, a newer version).</summary>
    public static CacheEntry? Deserialize(ReadOnlyMemory<byte> bytes)
    {
        var span = bytes.Span;
        if (span.Length < HeaderBytes || span[0] != Magic || span[1] != Version || span[2] is < 1 or > 5)
            return null;
        var groupBytes = BinaryPrimitives.ReadUInt16LittleEndian(span[27..]);
        if (span.Length < HeaderBytes + groupBytes)
            return null;
        return new CacheEntry((CacheFormat)span[2], BinaryPrimitives.ReadInt64LittleEndian(span[3..]),
            BinaryPrimitives.ReadInt64LittleEndian(span[11..]), BinaryPrimitives.ReadInt64LittleEndian(span[19..]),
            Encoding.UTF8.GetString(span.Slice(HeaderBytes, groupBytes)), bytes[(HeaderBytes + groupBytes)..]);
    }
}
