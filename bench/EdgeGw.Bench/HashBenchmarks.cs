using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using EdgeGw.Crypto;

namespace EdgeGw.Bench;

/// <summary>
/// SHA-256 and HMAC-SHA-256 through .NET (OpenSSL) and through the linked libsodium: a virtual key
/// (every authenticated request, 47 bytes) and request bodies (cache keys, SigV4).
/// </summary>
public class HashBenchmarks
{
    private byte[] _data = [];
    private readonly byte[] _hash = new byte[32];

    [Params(47, 1024, 16384)]
    public int Bytes { get; set; }

    [GlobalSetup]
    public void Setup() => _data = [.. Enumerable.Range(0, Bytes).Select(i => (byte)('a' + i % 26))];

    [Benchmark(Baseline = true)]
    public byte OpenSsl()
    {
        SHA256.HashData(_data, _hash);
        return _hash[0];
    }

    [Benchmark]
    public byte Libsodium()
    {
        Sodium.Sha256(_data, _hash);
        return _hash[0];
    }

    [Benchmark]
    public byte OpenSslHmac()
    {
        HMACSHA256.HashData(_hash, _data, _hash);
        return _hash[0];
    }

    [Benchmark]
    public byte LibsodiumHmac()
    {
        Sodium.HmacSha256(_hash, _data, _hash);
        return _hash[0];
    }
}
