namespace EdgeGw.Providers.Bedrock;

/// <summary>
/// A deployment's Bedrock model id as the Converse path takes it: LiteLLM's route prefix
/// (<c>bedrock/converse/…</c>) stripped, cross-region inference profile prefixes (<c>us.</c>,
/// <c>eu.</c>, <c>apac.</c>, <c>global.</c>) and ARNs kept whole, and the id percent-encoded as
/// one path segment (<c>:</c> → <c>%3A</c>, <c>/</c> → <c>%2F</c>).
/// </summary>
internal static class BedrockModelId
{
    // LiteLLM's route prefixes: Converse is the only route EdgeGw speaks, so the others name the same model.
    private static readonly string[] RoutePrefixes = ["converse/", "converse_like/", "invoke/"];

    // Cross-region inference profiles: the id with a geography in front (LiteLLM's get_base_model list).
    private static readonly string[] ProfilePrefixes = ["us.", "eu.", "apac.", "global.", "us-gov.", "jp.", "au.", "ca."];

    /// <summary>The model id Bedrock is sent: route prefix removed, everything else as configured.</summary>
    public static string Upstream(string modelId)
    {
        foreach (var prefix in RoutePrefixes)
        {
            if (modelId.StartsWith(prefix, StringComparison.Ordinal))
                return modelId[prefix.Length..];
        }
        return modelId;
    }

    /// <summary>The id as one percent-encoded path segment (RFC 3986 unreserved characters kept).</summary>
    public static string PathSegment(string modelId) => Uri.EscapeDataString(modelId);

    /// <summary>
    /// The foundation model behind an id, for the per-family choices (<c>top_k</c>, thinking):
    /// an ARN's resource name, without a cross-region prefix (<c>us.anthropic.claude…</c> → <c>anthropic.claude…</c>).
    /// </summary>
    public static string Base(string modelId)
    {
        var id = Upstream(modelId);
        if (id.StartsWith("arn:", StringComparison.Ordinal) && id.LastIndexOf('/') is var slash and > 0)
            id = id[(slash + 1)..];
        foreach (var prefix in ProfilePrefixes)
        {
            if (id.StartsWith(prefix, StringComparison.Ordinal))
                return id[prefix.Length..];
        }
        return id;
    }

    public static bool IsAnthropic(string baseModel) => baseModel.StartsWith("anthropic.", StringComparison.Ordinal);

    public static bool IsNova(string baseModel) => baseModel.StartsWith("amazon.nova", StringComparison.Ordinal);
}
