using System.Buffers;
using System.Text;
using EdgeGw.Crypto;

namespace EdgeGw.Auth;

/// <summary>SHA-256 of a key's UTF-8 bytes: how keys are compared and stored, never as plaintext.</summary>
internal static class KeyHash
{
    public const int Size = Sodium.Sha256Bytes;

    public static void Compute(ReadOnlySpan<char> key, Span<byte> hash)
    {
        var max = Encoding.UTF8.GetMaxByteCount(key.Length);
        byte[]? rented = null;
        var bytes = max <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(max));
        var length = Encoding.UTF8.GetBytes(key, bytes);
        Sodium.Sha256(bytes[..length], hash);
        if (rented is not null)
            ArrayPool<byte>.Shared.Return(rented);
    }

    public static byte[] Compute(string key)
    {
        var hash = new byte[Size];
        Compute(key, hash);
        return hash;
    }
}
