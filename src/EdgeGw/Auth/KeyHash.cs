using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace EdgeGw.Auth;

/// <summary>SHA-256 of a key's UTF-8 bytes: how keys are compared and stored, never as plaintext.</summary>
internal static class KeyHash
{
    public const int Size = SHA256.HashSizeInBytes;

    public static void Compute(ReadOnlySpan<char> key, Span<byte> hash)
    {
        var max = Encoding.UTF8.GetMaxByteCount(key.Length);
        byte[]? rented = null;
        var bytes = max <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(max));
        var length = Encoding.UTF8.GetBytes(key, bytes);
        SHA256.HashData(bytes[..length], hash);
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
