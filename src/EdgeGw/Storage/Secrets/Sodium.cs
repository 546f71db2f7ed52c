using System.Runtime.InteropServices;

namespace EdgeGw.Storage.Secrets;

/// <summary>
/// libsodium's secretbox (XSalsa20-Poly1305), the cipher of LiteLLM's legacy at-rest format. The native
/// binary links Debian's static libsodium.a (DirectPInvoke "libsodium"); under JIT (build/test)
/// "libsodium" is resolved to the system's libsodium.so.23 (Debian: libsodium23).
/// </summary>
internal static partial class Sodium
{
    public const int KeyBytes = 32;
    public const int NonceBytes = 24;
    public const int MacBytes = 16;

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

    [LibraryImport(Library)]
    private static partial int sodium_init();

    [LibraryImport(Library)]
    private static unsafe partial int crypto_secretbox_easy(byte* c, byte* m, ulong mlen, byte* n, byte* k);

    [LibraryImport(Library)]
    private static unsafe partial int crypto_secretbox_open_easy(byte* m, byte* c, ulong clen, byte* n, byte* k);
}
