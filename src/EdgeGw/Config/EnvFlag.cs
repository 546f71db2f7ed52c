namespace EdgeGw.Config;

/// <summary>A boolean environment variable as LiteLLM's Click options and <c>str_to_bool</c> read it.</summary>
internal static class EnvFlag
{
    /// <summary>Click's true spellings, any case, surrounding spaces ignored.</summary>
    public static bool IsTrue(string? value) =>
        value?.Trim().ToUpperInvariant() is "1" or "TRUE" or "T" or "YES" or "Y" or "ON";
}
