using System.Text.Json;

namespace EdgeGw.Json;

/// <summary>
/// One upstream token count, validated: usage is billed from it, so a negative count reads as 0
/// and anything past <see cref="Max"/> (or not an integer) is clamped, keeping cost in range.
/// </summary>
internal static class TokenCount
{
    /// <summary>The most tokens one usage field can report: far above any context window.</summary>
    public const long Max = 1_000_000_000;

    public static long Clamp(long count) => count < 0 ? 0 : Math.Min(count, Max);

    /// <summary>The count at the reader's current value, or <paramref name="absent"/> when it is not a number.</summary>
    public static long Of(ref Utf8JsonReader reader, long absent = 0)
    {
        if (reader.TokenType != JsonTokenType.Number)
            return absent;
        if (reader.TryGetInt64(out var count))
            return Clamp(count);
        return reader.TryGetDouble(out var real) && real > 0 ? (long)Math.Min(real, Max) : 0;
    }

    /// <summary>The count in <paramref name="name"/> of <paramref name="obj"/>, 0 when absent or not a number.</summary>
    public static long Of(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Number)
            return 0;
        if (value.TryGetInt64(out var count))
            return Clamp(count);
        return value.TryGetDouble(out var real) && real > 0 ? (long)Math.Min(real, Max) : 0;
    }
}
