using EdgeGw.Config;

namespace EdgeGw.Providers.Bedrock.Aws;

/// <summary>
/// The Bedrock runtime base a deployment calls, as LiteLLM's <c>get_runtime_endpoint</c>: <c>api_base</c>, else
/// <c>aws_bedrock_runtime_endpoint</c>, else <c>AWS_BEDROCK_RUNTIME_ENDPOINT</c>, else
/// <c>https://bedrock-runtime.{region}.amazonaws.com</c>. A base with a path keeps it (LiteLLM appends
/// <c>/model/{id}/converse</c> to it); a trailing '/' is dropped.
/// </summary>
internal static class BedrockEndpoint
{
    public static Uri Resolve(Deployment deployment, string region, Func<string, string?> environment)
    {
        var configured = NonEmpty(deployment.ApiBase)
            ?? (deployment.OtherParams.TryGetValue(BedrockParams.RuntimeEndpoint, out var endpoint) ? NonEmpty(endpoint) : null)
            ?? NonEmpty(environment("AWS_BEDROCK_RUNTIME_ENDPOINT"));
        return new Uri((configured ?? $"https://bedrock-runtime.{region}.{DnsSuffix(region)}").TrimEnd('/'));
    }

    /// <summary>AWS's DNS suffix for a region's partition: China regions live under <c>amazonaws.com.cn</c>.</summary>
    public static string DnsSuffix(string region) =>
        region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com";

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
