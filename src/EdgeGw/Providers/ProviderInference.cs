namespace EdgeGw.Providers;

/// <summary>
/// The provider LiteLLM infers for a model named without a <c>provider/</c> prefix. LiteLLM looks the
/// name up in lists built from its cost map by <c>litellm_provider</c> (<c>get_llm_provider</c>); this
/// table states those lists as the name families they hold, so new dated snapshots infer too.
/// </summary>
internal static class ProviderInference
{
    private readonly record struct Rule(string Name, bool Exact, string Provider);

    // First match wins: specific names before the families that would also catch them.
    private static readonly Rule[] Rules =
    [
        // OpenAI's legacy completions API (LiteLLM's text-completion-openai).
        new("gpt-3.5-turbo-instruct", false, "text-completion-openai"),
        new("babbage-002", true, "text-completion-openai"),
        new("davinci-002", true, "text-completion-openai"),
        // OpenAI: chat, reasoning, embeddings, moderation, images, audio, fine-tunes.
        new("gpt-", false, "openai"),
        new("chatgpt-", false, "openai"),
        new("o1", true, "openai"),
        new("o1-", false, "openai"),
        new("o3", true, "openai"),
        new("o3-", false, "openai"),
        new("o4-", false, "openai"),
        new("codex-", false, "openai"),
        new("computer-use-preview", false, "openai"),
        new("text-embedding-3-", false, "openai"),
        new("text-embedding-ada-", false, "openai"),
        new("omni-moderation-", false, "openai"),
        new("text-moderation-", false, "openai"),
        new("dall-e-", false, "openai"),
        new("whisper-", false, "openai"),
        new("tts-", false, "openai"),
        new("ft:gpt-", false, "openai"),
        // Anthropic: the two pre-Messages models go to its legacy text API.
        new("claude-2", true, "anthropic_text"),
        new("claude-instant-1", true, "anthropic_text"),
        new("claude-", false, "anthropic"),
        // Cohere.
        new("command-r", false, "cohere_chat"),
        new("command-a-", false, "cohere_chat"),
        new("command", false, "cohere"),
        new("embed-english-", false, "cohere"),
        new("embed-multilingual-", false, "cohere"),
        // Google: a bare Gemini or PaLM name is Vertex AI to LiteLLM, not AI Studio.
        new("gemini-", false, "vertex_ai"),
        new("chat-bison", false, "vertex_ai"),
        new("text-bison", false, "vertex_ai"),
        new("code-bison", false, "vertex_ai"),
        new("codechat-bison", false, "vertex_ai"),
        new("code-gecko", false, "vertex_ai"),
        new("textembedding-gecko", false, "vertex_ai"),
        new("text-embedding-00", false, "vertex_ai"),
        new("text-embedding-large-exp", false, "vertex_ai"),
        new("text-multilingual-embedding-", false, "vertex_ai"),
        new("multimodalembedding", false, "vertex_ai"),
        new("imagegeneration", false, "vertex_ai"),
        new("imagen-", false, "vertex_ai"),
        new("medlm-", false, "vertex_ai"),
        // AWS Bedrock model ids (vendor.model, and cross-region inference profiles).
        new("anthropic.", false, "bedrock"),
        new("amazon.", false, "bedrock"),
        new("meta.", false, "bedrock"),
        new("cohere.", false, "bedrock"),
        new("ai21.", false, "bedrock"),
        new("mistral.", false, "bedrock"),
        new("stability.", false, "bedrock"),
        new("us.", false, "bedrock"),
        new("eu.", false, "bedrock"),
        new("apac.", false, "bedrock"),
        new("global.", false, "bedrock"),
        new("jamba-", false, "ai21_chat"),
        new("j2-", false, "ai21_chat"),
        new("luminous-", false, "aleph_alpha"),
    ];

    /// <summary>LiteLLM's provider names EdgeGw serves, and the EdgeGw provider each means.</summary>
    private static readonly Dictionary<string, string> Served = new(StringComparer.Ordinal)
    {
        ["openai"] = "openai",
        ["anthropic"] = "anthropic",
        ["bedrock"] = "bedrock",
        ["vertex_ai"] = "vertex_ai",
    };

    private static readonly Dictionary<string, string> DisplayNames = new(StringComparer.Ordinal)
    {
        ["text-completion-openai"] = "OpenAI's legacy completions API",
        ["anthropic_text"] = "Anthropic's legacy text completions API",
        ["cohere"] = "Cohere",
        ["cohere_chat"] = "Cohere",
        ["vertex_ai"] = "Vertex AI",
        ["bedrock"] = "AWS Bedrock",
        ["ai21_chat"] = "AI21",
        ["aleph_alpha"] = "Aleph Alpha",
        ["replicate"] = "Replicate",
    };

    // Replicate's versioned names end in ':' and a 64-character version hash.
    private const int ReplicateVersionLength = 64;

    /// <summary>LiteLLM's provider for a bare <paramref name="model"/>, or null when LiteLLM infers none.</summary>
    public static string? LitellmProvider(ReadOnlySpan<char> model)
    {
        foreach (var rule in Rules)
        {
            if (rule.Exact ? model.SequenceEqual(rule.Name) : model.StartsWith(rule.Name, StringComparison.Ordinal))
                return rule.Provider;
        }
        var colon = model.LastIndexOf(':');
        return colon > 0 && model.Length - colon - 1 == ReplicateVersionLength ? "replicate" : null;
    }

    /// <summary>The EdgeGw provider serving a bare <paramref name="model"/>; null when LiteLLM infers none or one EdgeGw does not serve.</summary>
    public static string? ServedProvider(ReadOnlySpan<char> model) =>
        LitellmProvider(model) is { } provider ? Served.GetValueOrDefault(provider) : null;

    /// <summary>
    /// Why a bare <paramref name="model"/> cannot be served, in one sentence; null when it can
    /// (<paramref name="provider"/> is then the EdgeGw provider).
    /// </summary>
    public static string? Explain(string model, out string? provider)
    {
        provider = null;
        var litellm = LitellmProvider(model);
        if (litellm is null)
            return $"missing provider prefix in '{model}' (write provider/model-id, e.g. openai/gpt-4o; providers: {string.Join(", ", ProviderCatalog.Names)})";
        if (Served.TryGetValue(litellm, out provider))
            return null;
        return $"LiteLLM reads a bare '{model}' as {DisplayNames.GetValueOrDefault(litellm, litellm)} ({litellm}/{model}), which EdgeGw does not serve yet";
    }
}
