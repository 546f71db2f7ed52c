using System.Buffers.Text;

namespace EdgeGw.Providers;

/// <summary>
/// Ids for tool calls an upstream sent without one (Gemini always, Ollama's older builds): OpenAI
/// clients need one to pair results with calls. The id is <c>call_</c> + 16 hex digits of a hash
/// of (seed, choice, call index), the seed a hash of something the response carries, so the same
/// response always yields the same ids (a random seed stands in when it carries nothing).
/// </summary>
internal static class ToolCallIds
{
    /// <summary>Length of an id.</summary>
    public const int Length = 5 + 16;

    public static ulong Seed(ReadOnlySpan<byte> responseId)
    {
        if (responseId.IsEmpty)
            return (ulong)Random.Shared.NextInt64();
        var hash = 14695981039346656037UL; // FNV-1a 64
        foreach (var b in responseId)
            hash = (hash ^ b) * 1099511628211UL;
        return hash;
    }

    /// <summary>Writes the id's <see cref="Length"/> bytes into <paramref name="destination"/>.</summary>
    public static void Write(Span<byte> destination, ulong seed, int choice, int index)
    {
        "call_"u8.CopyTo(destination);
        var mixed = Mix(seed ^ ((ulong)(uint)choice << 32) ^ (uint)index);
        Utf8Formatter.TryFormat(mixed, destination[5..], out _, new System.Buffers.StandardFormat('x', 16));
    }

    // SplitMix64's finaliser: spreads small differences in choice/index over every output bit.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
