using System.Buffers.Binary;

namespace EdgeGw.Auth;

/// <summary>
/// A key's SHA-256 as a value: the cache's dictionary key, compared without allocating. Its hex
/// form (lowercase) is the <c>token</c> LiteLLM stores and shows.
/// </summary>
internal readonly record struct TokenHash(ulong A, ulong B, ulong C, ulong D)
{
    public static TokenHash FromKey(ReadOnlySpan<char> key)
    {
        Span<byte> hash = stackalloc byte[KeyHash.Size];
        KeyHash.Compute(key, hash);
        return FromBytes(hash);
    }

    public static TokenHash FromBytes(ReadOnlySpan<byte> hash) => new(
        BinaryPrimitives.ReadUInt64BigEndian(hash),
        BinaryPrimitives.ReadUInt64BigEndian(hash[8..]),
        BinaryPrimitives.ReadUInt64BigEndian(hash[16..]),
        BinaryPrimitives.ReadUInt64BigEndian(hash[24..]));

    public static bool TryParseHex(ReadOnlySpan<char> hex, out TokenHash hash)
    {
        hash = default;
        if (hex.Length != KeyHash.Size * 2)
            return false;
        Span<byte> bytes = stackalloc byte[KeyHash.Size];
        if (Convert.FromHexString(hex, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != KeyHash.Size)
            return false;
        hash = FromBytes(bytes);
        return true;
    }

    /// <summary>A raw key (<c>sk-…</c>) is hashed; 64 hex digits are taken as a token already.</summary>
    public static TokenHash FromKeyOrToken(string value) =>
        TryParseHex(value, out var hash) ? hash : FromKey(value);

    public string ToHex()
    {
        Span<byte> bytes = stackalloc byte[KeyHash.Size];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, A);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], B);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[16..], C);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[24..], D);
        return Convert.ToHexStringLower(bytes);
    }

    public override string ToString() => ToHex();
}
