namespace EdgeGw.Providers.Vertex;

/// <summary>Which API a <c>vertex_ai/</c> model id is served by.</summary>
internal enum VertexModelFamily
{
    /// <summary>Google's publisher models (<c>generateContent</c>, <c>predict</c>), and tuned-model endpoints named by number.</summary>
    Gemini,
    /// <summary>Anthropic's publisher models (<c>rawPredict</c> with a Messages body).</summary>
    Claude,
    /// <summary>Other partner models (Llama, Mistral, Jamba, …) and the legacy PaLM API: not translated by this build.</summary>
    Unsupported,
}

internal static class VertexModels
{
    // LiteLLM's partner-model prefixes (VertexAIPartnerModels.is_vertex_partner_model) other than Claude, and the PaLM families.
    private static readonly string[] UnsupportedPrefixes =
    [
        "meta/", "deepseek-ai", "mistral", "codestral", "jamba", "qwen", "openai/gpt-oss-",
        "chat-bison", "text-bison", "code-bison", "codechat-bison", "code-gecko",
    ];

    /// <summary>LiteLLM routes <c>vertex_ai/claude-*</c> to the partner path and the rest of Google's ids to Gemini's.</summary>
    public static VertexModelFamily Family(string modelId)
    {
        if (modelId.StartsWith("claude", StringComparison.Ordinal))
            return VertexModelFamily.Claude;
        foreach (var prefix in UnsupportedPrefixes)
        {
            if (modelId.StartsWith(prefix, StringComparison.Ordinal))
                return VertexModelFamily.Unsupported;
        }
        return VertexModelFamily.Gemini;
    }

    /// <summary>A tuned Gemini model is deployed to an endpoint named by its number (LiteLLM: <c>model.isdigit()</c>).</summary>
    public static bool IsEndpointId(string modelId) => modelId.Length > 0 && modelId.All(char.IsAsciiDigit);
}
