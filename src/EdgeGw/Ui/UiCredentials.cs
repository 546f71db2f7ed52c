using System.Security.Cryptography;
using System.Text;
using EdgeGw.Crypto;

namespace EdgeGw.Ui;

/// <summary>
/// LiteLLM's UI login: username <c>UI_USERNAME</c> (default <c>admin</c>) and password <c>UI_PASSWORD</c>,
/// or the master key when UI_PASSWORD is unset. Compared as SHA-256 hashes in constant time, both
/// always, so neither which field was wrong nor any length shows in the timing.
/// </summary>
internal sealed class UiCredentials(string username, string password)
{
    public const string DefaultUsername = "admin";
    private readonly byte[] _username = Hash(username);
    private readonly byte[] _password = Hash(password);

    public bool Match(string username, string password)
    {
        var user = CryptographicOperations.FixedTimeEquals(Hash(username), _username);
        var pass = CryptographicOperations.FixedTimeEquals(Hash(password), _password);
        return user & pass;
    }

    private static byte[] Hash(string text) => Sodium.Sha256(Encoding.UTF8.GetBytes(text));
}
