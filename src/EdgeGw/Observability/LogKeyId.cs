using System.Security.Cryptography;
using System.Text;
using EdgeGw.Auth;
using EdgeGw.Crypto;

namespace EdgeGw.Observability;

/// <summary>
/// What the request log says about the caller's key: <c>master</c> for the master key (nothing
/// derived from it), nothing for an aliased key (the alias names it), otherwise a keyed hash.
/// </summary>
internal static class LogKeyId
{
    public const int HexChars = 12;
    private const string Master = "master";

    // HMAC with a per-process random key: unlike a bare SHA-256 prefix, a leaked log cannot be
    // matched against guessed keys offline, since the hash key never leaves the process.
    private static readonly byte[] HashKey = RandomNumberGenerator.GetBytes(32);

    /// <summary>The id, a hash written into <paramref name="hex"/> (<see cref="HexChars"/> long) or a constant.</summary>
    public static ReadOnlySpan<char> Format(Caller? caller, Span<char> hex)
    {
        if (caller is null)
            return "";
        if (caller.IsMaster)
            return Master;
        if (caller.Key?.Settings is not { } settings || !string.IsNullOrEmpty(settings.KeyAlias))
            return "";
        var token = caller.Token;
        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(token.Length)];
        var length = Encoding.UTF8.GetBytes(token, utf8);
        Span<byte> mac = stackalloc byte[Sodium.Sha256Bytes];
        Sodium.HmacSha256(HashKey, utf8[..length], mac);
        Convert.TryToHexStringLower(mac[..(HexChars / 2)], hex, out var written);
        return hex[..written];
    }

    /// <summary>The id <see cref="Format"/> gave as a string; the constants are not copied.</summary>
    public static string Text(ReadOnlySpan<char> id) =>
        id.IsEmpty ? "" : id.SequenceEqual(Master) ? Master : new string(id);
}
