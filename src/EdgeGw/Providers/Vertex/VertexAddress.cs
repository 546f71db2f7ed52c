using EdgeGw.Config;

namespace EdgeGw.Providers.Vertex;

/// <summary>
/// Where a <c>vertex_ai/</c> deployment's model methods live:
/// <code>
///   https://{location}-aiplatform.googleapis.com/v1/projects/{project}/locations/{location}/publishers/{google|anthropic}/models/{model}:{method}
///   https://aiplatform.googleapis.com/…                                   (location global)
///   {api_base}:{method}[?alt=sse]                                          (api_base set: it stands for everything before ':', as LiteLLM's _check_custom_proxy)
/// </code>
/// </summary>
internal sealed record VertexAddress(string Project, string Location, string? ApiBase)
{
    /// <summary>
    /// The location (<c>vertex_location</c>, <c>vertex_ai_location</c>, <c>VERTEXAI_LOCATION</c>, <c>VERTEX_LOCATION</c>, else
    /// us-central1) and <c>api_base</c> (the deployment's, <c>VERTEXAI_API_BASE</c>, <c>VERTEX_API_BASE</c>) in LiteLLM's order;
    /// a location that cannot be a host label is the error.
    /// </summary>
    public static string? Resolve(Deployment deployment, Func<string, string?> environment, string project, out VertexAddress? address)
    {
        address = null;
        var location = Param(deployment, VertexParams.Location) ?? Param(deployment, VertexParams.LocationAlias)
            ?? NonEmpty(environment("VERTEXAI_LOCATION")) ?? NonEmpty(environment("VERTEX_LOCATION")) ?? VertexWire.DefaultLocation;
        if (!IsLocation(location))
            return $"vertex_location '{location}' is not a Vertex AI location (like us-central1, europe-west4 or global)";
        var apiBase = NonEmpty(deployment.ApiBase) ?? NonEmpty(environment("VERTEXAI_API_BASE")) ?? NonEmpty(environment("VERTEX_API_BASE"));
        address = new VertexAddress(project, location, apiBase?.TrimEnd('/'));
        return null;
    }

    /// <summary>The regional host, or the global one.</summary>
    public string Host => Location == VertexWire.GlobalLocation ? "https://aiplatform.googleapis.com" : $"https://{Location}-aiplatform.googleapis.com";

    /// <summary>
    /// <paramref name="method"/> of the model at <paramref name="modelPath"/> (<c>publishers/google/models/gemini-2.0-flash</c>);
    /// <paramref name="stream"/> adds <c>alt=sse</c> where Gemini's default URL has it and always under a custom <c>api_base</c>, as LiteLLM does.
    /// </summary>
    public Uri Method(string modelPath, string method, bool stream, bool sseQuery)
    {
        if (ApiBase is { } custom)
            return new Uri(custom + ":" + method + (stream ? "?alt=sse" : ""));
        var query = stream && sseQuery ? "?alt=sse" : "";
        return new Uri($"{Host}/v1/projects/{Uri.EscapeDataString(Project)}/locations/{Location}/{modelPath}:{method}{query}");
    }

    /// <summary>Google's publisher model, or a tuned model's numbered endpoint.</summary>
    public static string GoogleModelPath(string modelId) =>
        VertexModels.IsEndpointId(modelId) ? "endpoints/" + modelId : "publishers/google/models/" + modelId;

    /// <summary>Anthropic's publisher model; the id keeps its <c>@version</c> (<c>claude-3-5-sonnet-v2@20241022</c>).</summary>
    public static string AnthropicModelPath(string modelId) => "publishers/anthropic/models/" + modelId;

    // Locations are host labels (us-central1, europe-west4, global): anything else would change the host.
    private static bool IsLocation(string location) =>
        location.Length is > 0 and <= 63 && location.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    private static string? Param(Deployment deployment, string name) =>
        deployment.OtherParams.TryGetValue(name, out var value) ? NonEmpty(value) : null;

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
