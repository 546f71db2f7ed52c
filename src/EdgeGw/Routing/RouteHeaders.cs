using System.Globalization;
using EdgeGw.Providers;

namespace EdgeGw.Routing;

/// <summary>
/// LiteLLM's response headers naming who answered. Set before every attempt (the adapter starts the
/// response), so the last attempt's values are the ones sent.
/// </summary>
internal static class RouteHeaders
{
    private static readonly string[] Counts = [.. Enumerable.Range(0, 16).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    /// <param name="endpoint">The deployment; null when the group failed without one being tried (all cooling).</param>
    public static void Set(HttpResponse response, ModelGroup group, ChatEndpoint? endpoint, int retries, int fallbacks)
    {
        if (response.HasStarted)
            return;
        var headers = response.Headers;
        var deployment = endpoint?.Deployment;
        if (deployment is not null)
            headers["x-litellm-model-id"] = deployment.Id;
        else
            headers.Remove("x-litellm-model-id");
        headers["x-litellm-model-group"] = group.Name;
        if (deployment?.ApiBase is not null)
            headers["x-litellm-model-api-base"] = deployment.ApiBase;
        else
            headers.Remove("x-litellm-model-api-base");
        headers["x-litellm-attempted-retries"] = Count(retries);
        headers["x-litellm-attempted-fallbacks"] = Count(fallbacks);
    }

    private static string Count(int n) => n < Counts.Length ? Counts[n] : n.ToString(CultureInfo.InvariantCulture);
}
