namespace EdgeGw.Observability;

/// <summary>
/// <c>x-litellm-call-id</c>: a client's own id is reused (logs, spend rows and the response header
/// then carry the id the client already knows) when it is a plausible id — 1 to 128 characters of
/// letters, digits and <c>-_.:</c>; anything else is replaced by a fresh one. It is a correlation id,
/// not a key: requests sharing one each keep their own spend row.
/// </summary>
internal static class CallId
{
    public const string Header = "x-litellm-call-id";
    private const int MaxLength = 128;

    /// <summary>
    /// A fresh id: a UUIDv7 (time-ordered, as <see cref="Guid.CreateVersion7()"/>) whose 74 random bits
    /// come from the process's seeded generator. Guid's own reads /dev/urandom on every call under
    /// Native AOT: one syscall per request for an id that is not a secret.
    /// </summary>
    public static string NewId(DateTimeOffset at)
    {
        Span<byte> bytes = stackalloc byte[16];
        Random.Shared.NextBytes(bytes);
        var ms = at.ToUnixTimeMilliseconds();
        for (var i = 5; i >= 0; i--, ms >>= 8)
            bytes[i] = (byte)ms;
        bytes[6] = (byte)(0x70 | bytes[6] & 0x0F); // version 7
        bytes[8] = (byte)(0x80 | bytes[8] & 0x3F); // RFC 9562 variant
        return new Guid(bytes, bigEndian: true).ToString();
    }

    public static string? FromClient(HttpRequest request)
    {
        var values = request.Headers[Header];
        if (values.Count != 1 || values[0] is not { Length: > 0 and <= MaxLength } id)
            return null;
        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
                return null;
        }
        return id;
    }
}
