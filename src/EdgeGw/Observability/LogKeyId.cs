using System.Security.Cryptography;
using System.Text;
using EdgeGw.Auth;

namespace EdgeGw.Observability;

/// <summary>
/// What the request log says about the caller's key: <c>master</c> for the master key (nothing
/// derived from it), nothing for an aliased key (the alias names it), otherwise a keyed hash.
/// </summary>
internal static class LogKeyId
{
    // HMAC with a per-process random key: unlike a bare SHA-256 prefix, a leaked log cannot be
    // matched against guessed keys offline, since the hash key never leaves the process.
    private static readonly byte[] HashKey = RandomNumberGenerator.GetBytes(32);
    private const int HexChars = 12;

    public static string For(Caller? caller)
    {
        if (caller is null)
            return "";
        if (caller.IsMaster)
            return "master";
        if (caller.Key?.Settings is not { } settings || !string.IsNullOrEmpty(settings.KeyAlias))
            return "";
        var token = caller.Token;
        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(token.Length)];
        var length = Encoding.UTF8.GetBytes(token, utf8);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(HashKey, utf8[..length], mac);
        return Convert.ToHexStringLower(mac[..(HexChars / 2)]);
    }
}
