using EdgeGw.Storage.Secrets;

namespace EdgeGw.Tests.Secrets;

/// <summary>
/// Fixtures made without our code. Legacy values: a C program against libsodium doing what PyNaCl's
/// SecretBox(sha256(salt)).encrypt(value) then base64.urlsafe_b64encode does (random 24-byte nonce ||
/// crypto_secretbox_easy output, URL-safe base64 with padding). v2/v3 values: Python's `cryptography`
/// exactly as LiteLLM's _encrypt_aes_gcm (AESGCM, 12-byte nonce; v3 key HKDF-SHA256(info
/// "litellm-at-rest-v3", salt None), v2 key sha256(salt)). Our legacy output was checked once by hand
/// against the same C program's crypto_secretbox_open_easy.
/// </summary>
public class SecretCipherTests
{
    private const string Salt = "sk-salt-1234";
    private static readonly SecretCipher Cipher = new(Salt);

    [Theory]
    [InlineData("FkcS7vx3wMb5Wp1YX9cqFR9gchvhrSuGvYFNLQClrPiC6wF2xic49APtIpxWJXUrkfgFK1FS", "sk-proj-abc123")]
    [InlineData("Q9rqfsjCAMrSp1yjTgS-DXNfKQIVJpiCSdkV8KcWe6TKsvMQ5zX-dg==", "")]
    [InlineData("fniQ9XgPKEPZ-25knJzPAWyEX71lHM_624iIbYeIlCgljrQq3jlH7pArTdhLUPXd", "clé-✓")]
    public void LiteLlmLegacyNaclValue_DecryptsToPlaintext(string stored, string expected)
    {
        Assert.True(Cipher.TryDecrypt(stored, out var plaintext));
        Assert.Equal(expected, plaintext);
    }

    [Fact]
    public void LegacyValueUnderMasterKeyInStandardBase64_DecryptsWithMasterKeyFallback()
    {
        // LiteLLM falls back to standard base64 for values written before it switched to URL-safe.
        var cipher = SecretCipher.Create(saltKey: null, masterKey: "sk-master-key")!;
        Assert.Equal("AKIA/secret+key==", cipher.Decrypt("3/olffH+ii9rZd1LnVJh96x0JfnvK1UyPaZxuCUrJSKLDfwg8qe2cJsBD2GWRlpSbZU9rrT35bpH", "aws_secret_access_key"));
    }

    [Theory]
    [InlineData("v3:gcm:dT_CXQJnzE-5OyeustUTa89rbl5ReN2zBjswH9zPZMEdFrPS16gL9OPG", "sk-proj-abc123")]
    [InlineData("v3:gcm:8oPbz6V4yQkpXMUJx2WiD6I9w56sq58o0uxFPg==", "")]
    [InlineData("v3:gcm:9hLpqRbHo3SaddA2Vyao-wQuqcBJmFP6ODM9oFBQ74tK0PyX", "clé-✓")]
    [InlineData("v2:gcm:m9R_vzjXGhdgJca59P0-bmR-6p5dfAKhskvHY8o8wkk6IfWSNbbJclC0", "sk-proj-abc123")]
    [InlineData("v2:gcm:1H59ov9zP-ntyvQ-5tTWIPrymXHl6vONtZgqTQ==", "")]
    [InlineData("v2:gcm:bZEHlKmewte9g72UzNQTp8DbZCsosSaWrPsjPZZQjkzNHxGm", "clé-✓")]
    public void LiteLlmAesGcmValue_DecryptsToPlaintext(string stored, string expected)
    {
        Assert.Equal(expected, Cipher.Decrypt(stored, "api_key"));
    }

    [Theory]
    [InlineData("sk-proj-abc123")]
    [InlineData("")]
    [InlineData("{\"type\":\"service_account\",\"private_key\":\"-----BEGIN…\"}")]
    public void EncryptThenDecrypt_ReturnsPlaintextInLegacyFormat(string plaintext)
    {
        var stored = Cipher.Encrypt(plaintext);
        Assert.DoesNotContain(':', stored);
        Assert.Equal(plaintext, new SecretCipher(Salt).Decrypt(stored, "api_key"));
    }

    [Fact]
    public void EncryptSameValueTwice_GivesDifferentCiphertexts()
    {
        Assert.NotEqual(Cipher.Encrypt("sk-proj-abc123"), Cipher.Encrypt("sk-proj-abc123"));
    }

    [Fact]
    public void V3WriteFormat_WritesV3GcmThatRoundTrips()
    {
        var cipher = new SecretCipher(Salt, SecretFormat.V3Gcm);
        var stored = cipher.Encrypt("sk-proj-abc123");
        Assert.StartsWith("v3:gcm:", stored, StringComparison.Ordinal);
        Assert.Equal("sk-proj-abc123", Cipher.Decrypt(stored, "api_key"));
    }

    [Theory]
    [InlineData("FkcS7vx3wMb5Wp1YX9cqFR9gchvhrSuGvYFNLQClrPiC6wF2xic49APtIpxWJXUrkfgFK1FS")]
    [InlineData("v3:gcm:dT_CXQJnzE-5OyeustUTa89rbl5ReN2zBjswH9zPZMEdFrPS16gL9OPG")]
    [InlineData("v2:gcm:m9R_vzjXGhdgJca59P0-bmR-6p5dfAKhskvHY8o8wkk6IfWSNbbJclC0")]
    public void WrongSaltKey_GivesClearErrorNamingField(string stored)
    {
        var cipher = new SecretCipher("another-salt");
        Assert.False(cipher.TryDecrypt(stored, out var plaintext));
        Assert.Equal("", plaintext);
        var error = Assert.Throws<SecretDecryptException>(() => cipher.Decrypt(stored, "api_key"));
        Assert.Equal("cannot decrypt api_key: LITELLM_SALT_KEY (or the master key) differs from the one that encrypted it", error.Message);
    }

    [Theory]
    [InlineData("FkcS7vx3wMb5Wp1YX9cqFR9gchvhrSuGvYFNLQClrPiC6wF2xic49APtIpxWJXUrkfgFK1FT")] // last byte altered
    [InlineData("FkcS7vx3wMb5Wp1YX9cqFR9gchvhrSuGvYFNLQClrPiC6wF2")] // shorter than nonce + MAC
    [InlineData("sk-proj-abc123")] // a plaintext key stored unencrypted
    [InlineData("not base64 at all!")]
    [InlineData("v3:gcm:dT_CXQJnzE-5OyeustUTa89rbl5ReN2zBjswH9zPZMEdFrPS16gL9OPH")]
    [InlineData("v3:gcm:8oPbz6V4yQkpXMUJx2WiD6I9w56sq58o0uxF")] // shorter than nonce + tag
    [InlineData("v3:gcm:")]
    [InlineData("v2:gcm:%%%%")]
    public void CorruptOrShortValue_GivesClearError(string stored)
    {
        Assert.False(Cipher.TryDecrypt(stored, out var plaintext));
        Assert.Equal("", plaintext);
        Assert.Throws<SecretDecryptException>(() => Cipher.Decrypt(stored, "vertex_credentials"));
    }

    [Fact]
    public void EmptyStoredValue_DecryptsToEmptyAsLiteLlm()
    {
        Assert.Equal("", new SecretCipher("another-salt").Decrypt("", "api_key"));
    }

    [Fact]
    public void SaltKeySet_WinsOverMasterKey()
    {
        var cipher = SecretCipher.Create(saltKey: Salt, masterKey: "sk-master-key")!;
        Assert.Equal("sk-proj-abc123", cipher.Decrypt("FkcS7vx3wMb5Wp1YX9cqFR9gchvhrSuGvYFNLQClrPiC6wF2xic49APtIpxWJXUrkfgFK1FS", "api_key"));
    }

    [Fact]
    public void NeitherSaltNorMasterKey_GivesNoCipher()
    {
        Assert.Null(SecretCipher.Create(saltKey: null, masterKey: null));
        Assert.Null(SecretCipher.Create(saltKey: "", masterKey: ""));
    }
}
