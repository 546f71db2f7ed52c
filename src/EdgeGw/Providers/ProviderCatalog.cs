using System.Collections.Frozen;

namespace EdgeGw.Providers;

/// <summary>The wire format a provider speaks; picks the adapter that serves its deployments.</summary>
internal enum ProviderKind
{
    /// <summary>OpenAI's Chat Completions format, relayed with minimal rewriting.</summary>
    OpenAiCompatible,
    Mock,
    Anthropic,
    Gemini,
    Azure,
    /// <summary>Ollama's native API: <c>/api/chat</c> (<c>ollama_chat/</c>), <c>/api/generate</c> (<c>ollama/</c>).</summary>
    Ollama,
    /// <summary>AWS Bedrock: Converse / ConverseStream (AWS event-stream framing), SigV4 or bearer auth.</summary>
    Bedrock,
    /// <summary>Google Vertex AI: Gemini (generateContent) and Claude (rawPredict), OAuth2 service-account auth.</summary>
    Vertex,
}

/// <summary>
/// What EdgeGw knows about a <c>provider/</c> prefix: its format, its public default
/// <c>api_base</c> and the environment variables LiteLLM reads when the config names no key.
/// </summary>
internal sealed record ProviderInfo(
    string Name,
    ProviderKind Kind,
    string? DefaultApiBase,
    string? ApiKeyEnv,
    string? ApiBaseEnv = null);

internal static class ProviderCatalog
{
    // Defaults are the providers' documented OpenAI-compatible roots, version path included, as
    // the OpenAI SDK's base_url would be written.
    private static readonly ProviderInfo[] All =
    [
        new("openai", ProviderKind.OpenAiCompatible, "https://api.openai.com/v1", "OPENAI_API_KEY", "OPENAI_API_BASE"),
        new("groq", ProviderKind.OpenAiCompatible, "https://api.groq.com/openai/v1", "GROQ_API_KEY"),
        new("mistral", ProviderKind.OpenAiCompatible, "https://api.mistral.ai/v1", "MISTRAL_API_KEY"),
        new("deepseek", ProviderKind.OpenAiCompatible, "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY"),
        new("together_ai", ProviderKind.OpenAiCompatible, "https://api.together.xyz/v1", "TOGETHERAI_API_KEY"),
        new("fireworks_ai", ProviderKind.OpenAiCompatible, "https://api.fireworks.ai/inference/v1", "FIREWORKS_AI_API_KEY"),
        new("openrouter", ProviderKind.OpenAiCompatible, "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"),
        new("xai", ProviderKind.OpenAiCompatible, "https://api.x.ai/v1", "XAI_API_KEY"),
        new("perplexity", ProviderKind.OpenAiCompatible, "https://api.perplexity.ai", "PERPLEXITYAI_API_KEY"),
        new("deepinfra", ProviderKind.OpenAiCompatible, "https://api.deepinfra.com/v1/openai", "DEEPINFRA_API_KEY"),
        new("cerebras", ProviderKind.OpenAiCompatible, "https://api.cerebras.ai/v1", "CEREBRAS_API_KEY"),
        new("hosted_vllm", ProviderKind.OpenAiCompatible, null, "HOSTED_VLLM_API_KEY", "HOSTED_VLLM_API_BASE"),
        new("lm_studio", ProviderKind.OpenAiCompatible, "http://localhost:1234/v1", "LM_STUDIO_API_KEY", "LM_STUDIO_API_BASE"),
        // Ollama's host root, as LiteLLM takes it: the native paths are added by the adapter.
        new("ollama", ProviderKind.Ollama, "http://localhost:11434", "OLLAMA_API_KEY", "OLLAMA_API_BASE"),
        new("ollama_chat", ProviderKind.Ollama, "http://localhost:11434", "OLLAMA_API_KEY", "OLLAMA_API_BASE"),
        new("anthropic", ProviderKind.Anthropic, "https://api.anthropic.com", "ANTHROPIC_API_KEY", "ANTHROPIC_API_BASE"),
        new("gemini", ProviderKind.Gemini, "https://generativelanguage.googleapis.com", "GEMINI_API_KEY"),
        new("azure", ProviderKind.Azure, null, "AZURE_API_KEY", "AZURE_API_BASE"),
        // Regional endpoints, resolved per deployment from its region: no single default base.
        new("bedrock", ProviderKind.Bedrock, null, "AWS_BEARER_TOKEN_BEDROCK"),
        new("vertex_ai", ProviderKind.Vertex, null, null),
        new("mock", ProviderKind.Mock, null, null),
    ];

    private static readonly FrozenDictionary<string, ProviderInfo> ByName =
        All.ToFrozenDictionary(p => p.Name, StringComparer.Ordinal);

    public static IEnumerable<string> Names => All.Select(p => p.Name);

    public static ProviderInfo? Find(string name) => ByName.GetValueOrDefault(name);
}
