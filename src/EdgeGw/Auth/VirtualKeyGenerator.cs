using System.Security.Cryptography;

namespace EdgeGw.Auth;

/// <summary>New virtual keys: <c>sk-</c> and 40 characters from the OS CSPRNG (~238 bits).</summary>
internal static class VirtualKeyGenerator
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    public const int RandomLength = 40;

    public static string NewKey() => "sk-" + RandomNumberGenerator.GetString(Alphabet, RandomLength);

    /// <summary>How a key is shown after creation: LiteLLM's <c>key_name</c>, the last 4 characters only.</summary>
    public static string Abbreviate(ReadOnlySpan<char> key) =>
        key.Length <= 4 ? "sk-...****" : $"sk-...{key[^4..]}";
}
