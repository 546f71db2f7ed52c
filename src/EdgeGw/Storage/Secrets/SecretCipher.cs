using System.Security.Cryptography;
using System.Text;
using EdgeGw.Crypto;

namespace EdgeGw.Storage.Secrets;

/// <summary>
/// Encrypts stored secrets exactly as LiteLLM's encrypt_decrypt_utils does, so a database moves between
/// LiteLLM and EdgeGw in both directions. Reads all three formats LiteLLM has written:
/// <list type="bullet">
/// <item>legacy: base64url(nonce(24) || MAC(16) || ct), nacl SecretBox, key SHA-256(salt)</item>
/// <item>"v2:gcm:" + base64url(nonce(12) || ct || tag(16)), AES-256-GCM, key SHA-256(salt)</item>
/// <item>"v3:gcm:" + the same, key HKDF-SHA256(salt, info "litellm-at-rest-v3")</item>
/// </list>
/// Writes legacy by default because every deployed LiteLLM version reads it.
/// </summary>
internal sealed class SecretCipher
{
    private const string V2Prefix = "v2:gcm:";
    private const string V3Prefix = "v3:gcm:";
    private const int GcmNonceBytes = 12;
    private const int GcmTagBytes = 16;
    private static readonly byte[] HkdfInfo = "litellm-at-rest-v3"u8.ToArray();
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[] _sha256Key;
    private readonly byte[] _hkdfKey;
    private readonly SecretFormat _writeFormat;

    public SecretCipher(string saltKey, SecretFormat writeFormat = SecretFormat.LegacyNacl)
    {
        ArgumentException.ThrowIfNullOrEmpty(saltKey);
        var ikm = Encoding.UTF8.GetBytes(saltKey);
        _sha256Key = Sodium.Sha256(ikm);
        _hkdfKey = Sodium.HkdfSha256(ikm, 32, salt: [], info: HkdfInfo);
        _writeFormat = writeFormat;
    }

    /// <summary>LiteLLM's choice of key: LITELLM_SALT_KEY, else the master key; null when neither is set.</summary>
    public static SecretCipher? Create(string? saltKey, string? masterKey, SecretFormat writeFormat = SecretFormat.LegacyNacl)
    {
        var key = !string.IsNullOrEmpty(saltKey) ? saltKey : masterKey;
        return string.IsNullOrEmpty(key) ? null : new SecretCipher(key, writeFormat);
    }

    public string Encrypt(string plaintext)
    {
        var message = Encoding.UTF8.GetBytes(plaintext);
        return _writeFormat == SecretFormat.V3Gcm ? EncryptGcm(message) : EncryptNacl(message);
    }

    /// <summary>The plaintext, or <see cref="SecretDecryptException"/> naming <paramref name="field"/>.</summary>
    public string Decrypt(string stored, string field) =>
        TryDecrypt(stored, out var plaintext) ? plaintext : throw new SecretDecryptException(field);

    /// <summary>False for any value that is not a ciphertext under this key (wrong key, corrupt, truncated).</summary>
    public bool TryDecrypt(string stored, out string plaintext)
    {
        plaintext = "";
        try
        {
            if (stored.StartsWith(V3Prefix, StringComparison.Ordinal))
                return TryDecryptGcm(stored.AsSpan(V3Prefix.Length), _hkdfKey, out plaintext);
            if (stored.StartsWith(V2Prefix, StringComparison.Ordinal))
                return TryDecryptGcm(stored.AsSpan(V2Prefix.Length), _sha256Key, out plaintext);
            return TryDecryptNacl(stored, out plaintext);
        }
        catch (DecoderFallbackException)
        {
            // Authenticated bytes that are not UTF-8 were never written by LiteLLM or us.
            plaintext = "";
            return false;
        }
    }

    private string EncryptNacl(byte[] message)
    {
        var blob = new byte[Sodium.NonceBytes + Sodium.MacBytes + message.Length];
        var nonce = blob.AsSpan(0, Sodium.NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        Sodium.SecretBox(blob.AsSpan(Sodium.NonceBytes), message, nonce, _sha256Key);
        return SecretBase64.EncodeUrl(blob);
    }

    private string EncryptGcm(byte[] message)
    {
        var blob = new byte[GcmNonceBytes + message.Length + GcmTagBytes];
        var nonce = blob.AsSpan(0, GcmNonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_hkdfKey, GcmTagBytes);
        aes.Encrypt(nonce, message, blob.AsSpan(GcmNonceBytes, message.Length), blob.AsSpan(GcmNonceBytes + message.Length));
        return V3Prefix + SecretBase64.EncodeUrl(blob);
    }

    private bool TryDecryptNacl(string stored, out string plaintext)
    {
        plaintext = "";
        if (SecretBase64.TryDecode(stored) is not { } blob)
            return false;
        // LiteLLM reads a value that decodes to no bytes as the empty string.
        if (blob.Length == 0)
            return true;
        if (blob.Length < Sodium.NonceBytes + Sodium.MacBytes)
            return false;
        var message = new byte[blob.Length - Sodium.NonceBytes - Sodium.MacBytes];
        if (!Sodium.TryOpenSecretBox(message, blob.AsSpan(Sodium.NonceBytes), blob.AsSpan(0, Sodium.NonceBytes), _sha256Key))
            return false;
        plaintext = StrictUtf8.GetString(message);
        return true;
    }

    private static bool TryDecryptGcm(ReadOnlySpan<char> encoded, byte[] key, out string plaintext)
    {
        plaintext = "";
        if (SecretBase64.TryDecode(encoded) is not { } blob || blob.Length < GcmNonceBytes + GcmTagBytes)
            return false;
        var ciphertextLength = blob.Length - GcmNonceBytes - GcmTagBytes;
        var message = new byte[ciphertextLength];
        using var aes = new AesGcm(key, GcmTagBytes);
        try
        {
            aes.Decrypt(blob.AsSpan(0, GcmNonceBytes), blob.AsSpan(GcmNonceBytes, ciphertextLength), blob.AsSpan(GcmNonceBytes + ciphertextLength), message);
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
        plaintext = StrictUtf8.GetString(message);
        return true;
    }
}
