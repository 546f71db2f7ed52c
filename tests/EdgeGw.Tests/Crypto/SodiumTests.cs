using System.Security.Cryptography;
using EdgeGw.Crypto;

namespace EdgeGw.Tests.Crypto;

/// <summary>
/// The libsodium hashes that replaced .NET's (OpenSSL) ones for keys, tokens and ids: published test
/// vectors, and .NET's own implementation as the oracle around SHA-256's block and padding edges.
/// </summary>
public class SodiumTests
{
    // Lengths around the 64-byte block: padding needs a second block from 56 bytes on.
    public static TheoryData<int> Lengths => [0, 1, 47, 55, 56, 63, 64, 65, 119, 120, 1000];

    [Fact]
    public void Abc_HashesToFips180Vector()
    {
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Convert.ToHexStringLower(Sodium.Sha256("abc"u8)));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void AnyLength_HashesAsDotNetDoes(int length)
    {
        var data = Bytes(length, seed: 7);
        Assert.Equal(SHA256.HashData(data), Sodium.Sha256(data));
    }

    [Fact]
    public void Rfc4231Case2_MacsToPublishedVector()
    {
        var mac = new byte[32];
        Sodium.HmacSha256("Jefe"u8, "what do ya want for nothing?"u8, mac);
        Assert.Equal("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", Convert.ToHexStringLower(mac));
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(32, 0)]
    [InlineData(32, 47)]
    [InlineData(64, 100)]
    [InlineData(65, 100)] // longer than a block: the key is hashed first
    [InlineData(200, 1000)]
    public void AnyKeyLength_MacsAsDotNetDoes(int keyLength, int dataLength)
    {
        var key = Bytes(keyLength, seed: 11);
        var data = Bytes(dataLength, seed: 5);
        var mac = new byte[32];
        Sodium.HmacSha256(key, data, mac);
        Assert.Equal(HMACSHA256.HashData(key, data), mac);
    }

    [Fact]
    public void Rfc5869Case1_DerivesPublishedKey()
    {
        var okm = Sodium.HkdfSha256(Convert.FromHexString("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), 42,
            Convert.FromHexString("000102030405060708090a0b0c"), Convert.FromHexString("f0f1f2f3f4f5f6f7f8f9"));
        Assert.Equal("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865", Convert.ToHexStringLower(okm));
    }

    [Theory]
    [InlineData(1, 0, 0)]
    [InlineData(32, 0, 18)] // no salt: 32 zero bytes, as LiteLLM's v3 at-rest key uses
    [InlineData(33, 16, 5)]
    [InlineData(64, 32, 0)]
    [InlineData(100, 80, 40)]
    public void AnyLengthSaltAndInfo_DerivesAsDotNetDoes(int length, int saltLength, int infoLength)
    {
        var ikm = Bytes(22, seed: 13);
        var salt = Bytes(saltLength, seed: 17);
        var info = Bytes(infoLength, seed: 19);
        Assert.Equal(HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, length, salt, info), Sodium.HkdfSha256(ikm, length, salt, info));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(255 * 32 + 1)]
    public void HkdfLengthOutOfRange_Throws(int length)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Sodium.HkdfSha256([1, 2, 3], length, [], []));
    }

    [Fact]
    public void OutputShorterThanHash_Throws()
    {
        Assert.Throws<ArgumentException>(() => Sodium.Sha256("abc"u8, new byte[31]));
        Assert.Throws<ArgumentException>(() => Sodium.HmacSha256("k"u8, "abc"u8, new byte[31]));
    }

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
