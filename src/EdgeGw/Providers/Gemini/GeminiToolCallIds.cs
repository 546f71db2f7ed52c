using System.Buffers.Text;

namespace EdgeGw.Providers.Gemini;

/// <summary>
/// Gemini's function calls carry no id; OpenAI clients need one to pair results with calls. The
/// id is <c>call_</c> + 16 hex digits of a hash of (<c>responseId</c>, candidate, call index), so
/// the same response always yields the same ids (a random seed stands in when there is no
/// <c>responseId</c>). A call's <c>thoughtSignature</c>, which Gemini 2.5+/3 require back with
/// the call in later turns, rides in the id after <see cref="SignatureSeparator"/> (LiteLLM's
/// convention) and is restored when the client sends the call back in its history.
/// </summary>
internal static class GeminiToolCallIds
{
    public const string SignatureSeparator = "__thought__";
    public static ReadOnlySpan<byte> SignatureSeparatorUtf8 => "__thought__"u8;

    /// <summary>Length of the id without a signature.</summary>
    public const int HashedLength = 5 + 16;

    public static ulong Seed(ReadOnlySpan<byte> responseId)
    {
        if (responseId.IsEmpty)
            return (ulong)Random.Shared.NextInt64();
        var hash = 14695981039346656037UL; // FNV-1a 64
        foreach (var b in responseId)
            hash = (hash ^ b) * 1099511628211UL;
        return hash;
    }

    /// <summary>Writes the id's <see cref="HashedLength"/> bytes into <paramref name="destination"/>.</summary>
    public static void Write(Span<byte> destination, ulong seed, int candidate, int index)
    {
        "call_"u8.CopyTo(destination);
        var mixed = Mix(seed ^ ((ulong)(uint)candidate << 32) ^ (uint)index);
        Utf8Formatter.TryFormat(mixed, destination[5..], out _, new System.Buffers.StandardFormat('x', 16));
    }

    /// <summary>Splits an id made by <see cref="Write"/> back into its signature, if it carries one.</summary>
    public static string? Signature(string? id)
    {
        if (id is null)
            return null;
        var at = id.IndexOf(SignatureSeparator, StringComparison.Ordinal);
        return at < 0 || at + SignatureSeparator.Length == id.Length ? null : id[(at + SignatureSeparator.Length)..];
    }

    // SplitMix64's finaliser: spreads small differences in candidate/index over every output bit.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
