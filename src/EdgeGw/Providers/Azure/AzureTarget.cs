using System.Globalization;
using EdgeGw.Config;
using EdgeGw.Providers.OpenAi;

namespace EdgeGw.Providers.Azure;

/// <summary>
/// Azure OpenAI's two URL schemes, chosen by <c>api_version</c>:
/// <code>
///   dated (2024-10-21, 2025-04-01-preview) → {root}/openai/deployments/{deployment}/chat/completions?api-version={v}
///   v1, latest, preview or none            → {root}/openai/v1/chat/completions   (deployment as body "model")
/// </code>
/// The key always travels in <c>api-key</c>, which both schemes accept.
/// </summary>
internal static class AzureTarget
{
    private const string OpenAiSegment = "/openai";
    private const string V1Segment = "/openai/v1";

    // stream_options arrived with 2024-09-01-preview; older dated versions answer it with a 400
    // (Azure/azure-rest-api-specs#29157, openai/openai-python#1469), so those streams go unbilled by usage.
    private const string FirstVersionWithStreamUsage = "2024-09-01";

    public static OpenAiTarget For(Deployment deployment)
    {
        var apiBase = deployment.ApiBase!.TrimEnd('/');
        var version = deployment.ApiVersion?.Trim();
        var baseIsV1 = apiBase.EndsWith(V1Segment, StringComparison.OrdinalIgnoreCase);
        var root = baseIsV1 ? apiBase[..^V1Segment.Length]
            : apiBase.EndsWith(OpenAiSegment, StringComparison.OrdinalIgnoreCase) ? apiBase[..^OpenAiSegment.Length]
            : apiBase;
        var authValue = string.IsNullOrEmpty(deployment.ApiKey) ? null : deployment.ApiKey;

        // An api_base that already names /openai/v1 asks for the v1 API whatever api_version says.
        if (baseIsV1 || IsV1(version))
        {
            // Only "preview" is a query value the v1 path understands; GA needs no api-version at all.
            var query = string.Equals(version, "preview", StringComparison.OrdinalIgnoreCase) ? "?api-version=preview" : "";
            return new OpenAiTarget(new Uri(root + V1Segment + "/chat/completions" + query), new Uri(root + V1Segment + "/embeddings" + query), "api-key", authValue,
                SpliceModelId: true, RequestStreamUsage: true, ResponsesUri: new Uri(root + V1Segment + "/responses" + query));
        }

        // The deployment in the path selects the model; Azure ignores the body's "model", so the
        // client's body goes as it came.
        var deploymentRoot = root + OpenAiSegment + "/deployments/" + Uri.EscapeDataString(OpenAiModelFamilies.AzureDeploymentName(deployment.ModelId));
        var versionQuery = "?api-version=" + Uri.EscapeDataString(version!);
        // Responses has no deployment in its dated path: {root}/openai/responses?api-version=…, the deployment as body "model".
        return new OpenAiTarget(new Uri(deploymentRoot + "/chat/completions" + versionQuery), new Uri(deploymentRoot + "/embeddings" + versionQuery), "api-key", authValue, SpliceModelId: false, RequestStreamUsage: SupportsStreamUsage(version!),
            ResponsesUri: new Uri(root + OpenAiSegment + "/responses" + versionQuery));
    }

    private static bool IsV1(string? apiVersion) =>
        string.IsNullOrEmpty(apiVersion)
        || string.Equals(apiVersion, "v1", StringComparison.OrdinalIgnoreCase)
        || string.Equals(apiVersion, "latest", StringComparison.OrdinalIgnoreCase)
        || string.Equals(apiVersion, "preview", StringComparison.OrdinalIgnoreCase);

    /// <summary>Dated versions compare as text (yyyy-MM-dd…); anything not dated is assumed current.</summary>
    private static bool SupportsStreamUsage(string version) =>
        !IsDated(version) || string.CompareOrdinal(version, 0, FirstVersionWithStreamUsage, 0, 10) >= 0;

    private static bool IsDated(string version) =>
        version.Length >= 10
        && DateOnly.TryParseExact(version.AsSpan(0, 10), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
}
