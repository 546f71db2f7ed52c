namespace EdgeGw.Providers.Anthropic;

/// <summary>Anthropic Messages API constants and the gateway's documented translation choices.</summary>
internal static class AnthropicWire
{
    public const string Version = "2023-06-01";
    public const string VersionHeader = "anthropic-version";
    public const string BetaHeader = "anthropic-beta";
    public const string ApiKeyHeader = "x-api-key";

    /// <summary>
    /// Anthropic requires <c>max_tokens</c>; OpenAI clients often omit it. Used when neither the
    /// request nor the deployment's <c>model_info.max_tokens</c> sets one (LiteLLM's default too).
    /// </summary>
    public const int DefaultMaxTokens = 4096;

    /// <summary>
    /// The forced tool that carries <c>response_format</c> JSON: its <c>input</c> comes back to the
    /// client as message text (LiteLLM's strategy and name).
    /// </summary>
    public const string JsonToolName = "json_tool_call";
    public static ReadOnlySpan<byte> JsonToolNameUtf8 => "json_tool_call"u8;

    /// <summary><c>reasoning_effort</c> → <c>thinking.budget_tokens</c> (LiteLLM's budgets; 1024 is Anthropic's minimum).</summary>
    public static int? ThinkingBudget(string effort) => effort switch
    {
        "minimal" or "low" => 1024,
        "medium" => 2048,
        "high" => MaxEffortBudget,
        _ => null,
    };

    /// <summary>The largest budget an effort maps to: what admission reserves for any effort.</summary>
    public const int MaxEffortBudget = 4096;

    /// <summary>The Messages URL for an <c>api_base</c> given as the host root, or already ending in <c>/v1</c> or <c>/v1/messages</c>.</summary>
    public static Uri MessagesUri(string? apiBase)
    {
        var root = (apiBase ?? "https://api.anthropic.com").TrimEnd('/');
        if (root.EndsWith("/v1/messages", StringComparison.Ordinal))
            return new Uri(root);
        if (root.EndsWith("/v1", StringComparison.Ordinal))
            return new Uri(root + "/messages");
        return new Uri(root + "/v1/messages");
    }
}
