namespace EdgeGw.Providers.Gemini;

/// <summary>
/// Gemini's function calls carry no id, so they get <see cref="ToolCallIds"/> seeded by the
/// <c>responseId</c>. A call's <c>thoughtSignature</c>, which Gemini 2.5+/3 require back with the
/// call in later turns, rides in the id after <see cref="SignatureSeparator"/> (LiteLLM's
/// convention) and is restored when the client sends the call back in its history.
/// </summary>
internal static class GeminiToolCallIds
{
    public const string SignatureSeparator = "__thought__";
    public static ReadOnlySpan<byte> SignatureSeparatorUtf8 => "__thought__"u8;

    /// <summary>Splits an id made by <see cref="ToolCallIds.Write"/> back into its signature, if it carries one.</summary>
    public static string? Signature(string? id)
    {
        if (id is null)
            return null;
        var at = id.IndexOf(SignatureSeparator, StringComparison.Ordinal);
        return at < 0 || at + SignatureSeparator.Length == id.Length ? null : id[(at + SignatureSeparator.Length)..];
    }
}
