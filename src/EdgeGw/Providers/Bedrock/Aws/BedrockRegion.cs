using EdgeGw.Config;

namespace EdgeGw.Providers.Bedrock.Aws;

/// <summary>
/// A Bedrock deployment's region as LiteLLM picks it (<c>_get_aws_region_name</c>): <c>aws_region_name</c>,
/// else the region inside an ARN model id, else <c>AWS_REGION_NAME</c>, <c>AWS_REGION</c>, <c>AWS_DEFAULT_REGION</c>
/// (boto3's session region), else <c>us-west-2</c>.
/// </summary>
internal static class BedrockRegion
{
    public const string Default = "us-west-2";

    public static string Resolve(Deployment deployment, Func<string, string?> environment) =>
        Param(deployment)
        ?? FromArn(deployment.ModelId)
        ?? NonEmpty(environment("AWS_REGION_NAME"))
        ?? NonEmpty(environment("AWS_REGION"))
        ?? NonEmpty(environment("AWS_DEFAULT_REGION"))
        ?? Default;

    /// <summary>LiteLLM rejects anything but lower-case letters, digits and hyphens (it goes into a host name).</summary>
    public static bool IsValid(string region) =>
        region.Length > 0 && region.AsSpan().IndexOfAnyExcept("abcdefghijklmnopqrstuvwxyz0123456789-") < 0;

    private static string? Param(Deployment deployment) =>
        deployment.OtherParams.TryGetValue(BedrockParams.RegionName, out var region) ? NonEmpty(region) : null;

    /// <summary><c>arn:aws:bedrock:us-east-1:123456789012:inference-profile/…</c> → <c>us-east-1</c>, after any route prefix (<c>converse/</c>).</summary>
    public static string? FromArn(string modelId)
    {
        var at = modelId.IndexOf("arn:", StringComparison.Ordinal);
        if (at < 0)
            return null;
        var parts = modelId[at..].Split(':');
        return parts.Length >= 4 && IsValid(parts[3]) && parts[2] == "bedrock" ? parts[3] : null;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
