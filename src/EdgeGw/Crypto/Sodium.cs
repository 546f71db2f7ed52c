using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using EdgeGw.Storage;

namespace EdgeGw.Crypto;

/// <summary>
/// libsodium, linked into the native binary (DirectPInvoke "libsodium", Debian's static libsodium.a);
/// under JIT (build/test) "libsodium" is resolved to the system's libsodium.so.23 (Debian: libsodium23).
/// It does the gateway's SHA-256 and HMAC-SHA-256 as well as secretbox: .NET's own hashes load
/// OpenSSL, ≈ 10 ms of every start, and took 2.2× as long per key hash (HashBenchmarks).
/// </summary>
internal static partial class Sodium
{
    public const int KeyBytes = 32;
    public const int NonceBytes = 24;
    public const int MacBytes = 16;
    public const int Sha256Bytes = 32;

    private const string Library = "libsodium";

    // Runs before the first P/Invoke: maps the library under JIT, then lets libsodium pick its implementations.
    static Sodium()
    {
        JitNativeLibrary.Map(typeof(Sodium).Assembly, Library, ["libsodium.so.23", "libsodium.so", "libsodium.dylib", "libsodium.dll"]);
        // 0 = initialized now, 1 = already initialized; -1 means no usable randomness source.
        if (sodium_init() < 0)
            throw new InvalidOperationException("libsodium failed to initialize");
    }

    /// <summary>Writes MAC(16) || ciphertext into <paramref name="boxed"/> (message length + 16).</summary>
    public static unsafe void SecretBox(Span<byte> boxed, ReadOnlySpan<byte> message, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> key)
    {
        if (boxed.Length != message.Length + MacBytes || nonce.Length != NonceBytes || key.Length != KeyBytes)
            throw new ArgumentException("secretbox buffer sizes");
        fixed (byte* c = boxed)
        fixed (byte* m = message)
        fixed (byte* n = nonce)
        fixed (byte* k = key)
        {
            if (crypto_secretbox_easy(c, m, (ulong)message.Length, n, k) != 0)
                throw new InvalidOperationException("crypto_secretbox_easy failed");
        }
    }

    /// <summary>False when the MAC does not verify: wrong key or altered bytes.</summary>
    public static unsafe bool TryOpenSecretBox(Span<byte> message, ReadOnlySpan<byte> boxed, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> key)
    {
        if (boxed.Length < MacBytes || message.Length != boxed.Length - MacBytes || nonce.Length != NonceBytes || key.Length != KeyBytes)
            return false;
        fixed (byte* m = message)
        fixed (byte* c = boxed)
        fixed (byte* n = nonce)
        fixed (byte* k = key)
        {
            return crypto_secretbox_open_easy(m, c, (ulong)boxed.Length, n, k) == 0;
        }
    }

    /// <summary>SHA-256 of <paramref name="data"/> into the first 32 bytes of <paramref name="hash"/>.</summary>
    public static unsafe void Sha256(ReadOnlySpan<byte> data, Span<byte> hash)
    {
        if (hash.Length < Sha256Bytes)
            throw new ArgumentException("SHA-256 writes 32 bytes", nameof(hash));
        fixed (byte* input = data)
        fixed (byte* output = hash)
            crypto_hash_sha256(output, input, (ulong)data.Length);
    }

    public static byte[] Sha256(ReadOnlySpan<byte> data)
    {
        var hash = new byte[Sha256Bytes];
        Sha256(data, hash);
        return hash;
    }

    /// <summary>HMAC-SHA-256 of <paramref name="data"/> under a key of any length, into the first 32 bytes of <paramref name="mac"/>.</summary>
    public static unsafe void HmacSha256(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> mac)
    {
        if (mac.Length < Sha256Bytes)
            throw new ArgumentException("HMAC-SHA-256 writes 32 bytes", nameof(mac));
        HmacState state;
        fixed (byte* k = key)
        fixed (byte* input = data)
        fixed (byte* output = mac)
        {
            crypto_auth_hmacsha256_init(&state, k, (nuint)key.Length);
            crypto_auth_hmacsha256_update(&state, input, (ulong)data.Length);
            crypto_auth_hmacsha256_final(&state, output);
        }
    }

    /// <summary>
    /// HKDF-SHA-256 (RFC 5869): extract with <paramref name="salt"/> (empty = 32 zero bytes), expand
    /// with <paramref name="info"/> to <paramref name="length"/> bytes (at most 255 × 32).
    /// </summary>
    public static byte[] HkdfSha256(ReadOnlySpan<byte> ikm, int length, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> info)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, 255 * Sha256Bytes);
        Span<byte> prk = stackalloc byte[Sha256Bytes];
        HmacSha256(salt.IsEmpty ? stackalloc byte[Sha256Bytes] : salt, ikm, prk);
        var okm = new byte[length];
        // T(i) = HMAC(PRK, T(i-1) ‖ info ‖ i), T(0) empty.
        var block = new byte[Sha256Bytes + info.Length + 1];
        Span<byte> t = stackalloc byte[Sha256Bytes];
        for (int i = 1, written = 0; written < length; i++)
        {
            var previous = i == 1 ? 0 : Sha256Bytes;
            t[..previous].CopyTo(block);
            info.CopyTo(block.AsSpan(previous));
            block[previous + info.Length] = (byte)i;
            HmacSha256(prk, block.AsSpan(0, previous + info.Length + 1), t);
            var take = Math.Min(Sha256Bytes, length - written);
            t[..take].CopyTo(okm.AsSpan(written));
            written += take;
        }
        prk.Clear();
        t.Clear();
        return okm;
    }

    // crypto_auth_hmacsha256_state: two crypto_hash_sha256_states (uint32[8], uint64, uint8[64]), 2 × 104 bytes.
    [InlineArray(208 / sizeof(ulong))]
    private struct HmacState
    {
        private ulong _element;
    }

    [LibraryImport(Library)]
    private static partial int sodium_init();

    [LibraryImport(Library)]
    private static unsafe partial int crypto_secretbox_easy(byte* c, byte* m, ulong mlen, byte* n, byte* k);

    [LibraryImport(Library)]
    private static unsafe partial int crypto_secretbox_open_easy(byte* m, byte* c, ulong clen, byte* n, byte* k);

    [LibraryImport(Library)]
    private static unsafe partial int crypto_hash_sha256(byte* output, byte* input, ulong length);

    [LibraryImport(Library)]
    private static unsafe partial int crypto_auth_hmacsha256_init(HmacState* state, byte* key, nuint keyLength);

    [LibraryImport(Library)]
    private static unsafe partial int crypto_auth_hmacsha256_update(HmacState* state, byte* input, ulong length);

    [LibraryImport(Library)]
    private static unsafe partial int crypto_auth_hmacsha256_final(HmacState* state, byte* output);
}
