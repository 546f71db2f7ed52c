using System.Security.Cryptography;
using EdgeGw.Api;

namespace EdgeGw.Auth;

/// <summary>
/// Checks the caller's key against the master key by comparing SHA-256 hashes in constant time,
/// so neither the key's content nor its length leaks through timing.
/// </summary>
internal sealed class Authenticator(string masterKey)
{
    private readonly byte[] _masterKeyHash = KeyHash.Compute(masterKey);

    public GatewayError? Authenticate(HttpContext context, out CallerKind caller)
    {
        caller = CallerKind.Anonymous;
        var key = ApiKeyReader.Read(context.Request.Headers);
        if (key.IsEmpty)
            return GatewayError.MissingKey;
        Span<byte> hash = stackalloc byte[KeyHash.Size];
        KeyHash.Compute(key, hash);
        if (!CryptographicOperations.FixedTimeEquals(hash, _masterKeyHash))
            return GatewayError.InvalidKey;
        caller = CallerKind.Master;
        return null;
    }
}
