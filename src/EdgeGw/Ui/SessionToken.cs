using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using EdgeGw.Crypto;

namespace EdgeGw.Ui;

/// <summary>
/// The session cookie's value, base64url of
/// <c>version(1) ‖ session id(16) ‖ expiry, Unix seconds(8) ‖ role(1) ‖ user id length(1) ‖ user id(UTF-8) ‖ HMAC-SHA256(32)</c>,
/// the MAC over everything before it. Stateless, so every replica with the same keys accepts it.
/// </summary>
internal static class SessionToken
{
    private const byte Version = 1;
    private const int MacBytes = 32;
    private const int HeaderBytes = 1 + 16 + 8 + 1 + 1;
    private const int MaxUserIdBytes = 255;
    /// <summary>The longest cookie value a valid token can be; longer ones are refused before any decoding.</summary>
    public static readonly int MaxLength = Base64Url.GetEncodedLength(HeaderBytes + MaxUserIdBytes + MacBytes);

    public static string Encode(in UiSession session, byte[] key)
    {
        var userId = Encoding.UTF8.GetBytes(session.UserId);
        if (userId.Length > MaxUserIdBytes)
            throw new ArgumentException("user id longer than 255 bytes", nameof(session));
        Span<byte> token = stackalloc byte[HeaderBytes + MaxUserIdBytes + MacBytes];
        token[0] = Version;
        session.Id.TryWriteBytes(token[1..17]);
        BinaryPrimitives.WriteInt64BigEndian(token[17..25], session.Expires.ToUnixTimeSeconds());
        token[25] = (byte)session.Role;
        token[26] = (byte)userId.Length;
        userId.CopyTo(token[HeaderBytes..]);
        var signed = HeaderBytes + userId.Length;
        Sodium.HmacSha256(key, token[..signed], token.Slice(signed, MacBytes));
        return Base64Url.EncodeToString(token[..(signed + MacBytes)]);
    }

    /// <summary>Whether <paramref name="text"/> is a token signed with <paramref name="key"/>; expiry is the caller's to check.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, byte[] key, out UiSession session)
    {
        session = default;
        if (text.Length == 0 || text.Length > MaxLength)
            return false;
        Span<byte> token = stackalloc byte[HeaderBytes + MaxUserIdBytes + MacBytes];
        if (Base64Url.DecodeFromChars(text, token, out var consumed, out var length) != OperationStatus.Done || consumed != text.Length
            || length < HeaderBytes + MacBytes || token[0] != Version)
            return false;
        var signed = length - MacBytes;
        if (token[26] != signed - HeaderBytes)
            return false;
        Span<byte> mac = stackalloc byte[MacBytes];
        Sodium.HmacSha256(key, token[..signed], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, token.Slice(signed, MacBytes)))
            return false;
        var userId = token[HeaderBytes..signed];
        session = new UiSession(
            new Guid(token[1..17]),
            DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(BinaryPrimitives.ReadInt64BigEndian(token[17..25]), 0, 253_402_300_799)),
            (UiRole)token[25],
            userId.SequenceEqual("default_user_id"u8) ? UiSession.AdminUserId : Encoding.UTF8.GetString(userId));
        return true;
    }
}
