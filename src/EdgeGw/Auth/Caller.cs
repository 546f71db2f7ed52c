namespace EdgeGw.Auth;

/// <summary>Who is calling, once the key has been checked.</summary>
internal enum CallerKind
{
    Anonymous,
    Master,
    VirtualKey,
}

/// <summary>
/// The authenticated caller of one request; a virtual key's caller is created once per key and
/// shared by its requests (no allocation per request). Kept on the request's feature collection.
/// </summary>
internal sealed class Caller(CallerKind kind, KeyAccount? key = null, string? masterToken = null)
{
    public static readonly Caller Anonymous = new(CallerKind.Anonymous);

    public CallerKind Kind { get; } = kind;
    /// <summary>The virtual key's cached account; null for the master key.</summary>
    public KeyAccount? Key { get; } = key;

    public bool IsMaster => Kind == CallerKind.Master;

    /// <summary>The SHA-256 hex of the key used, as spend rows record it.</summary>
    public string Token => Key?.Settings.TokenHex ?? masterToken ?? "";

    public static Caller Of(HttpContext context) => context.Features.Get<Caller>() ?? Anonymous;
}
