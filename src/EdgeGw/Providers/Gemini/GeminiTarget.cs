using EdgeGw.Config;

namespace EdgeGw.Providers.Gemini;

/// <summary>
/// Where a Gemini-format deployment is reached and how it is authorised: the one thing that differs
/// between Google AI Studio (<c>gemini/</c>: an API key header, <c>embedContent</c>) and Vertex AI
/// (<c>vertex_ai/</c>: a Bearer token, <c>:predict</c> embeddings). The translators are the same.
/// </summary>
/// <param name="GenerateUri">The full <c>:generateContent</c> URI.</param>
/// <param name="StreamUri">The full <c>:streamGenerateContent?alt=sse</c> URI.</param>
/// <param name="EmbedUri">AI Studio's <c>:embedContent</c>, or Vertex's <c>:predict</c>.</param>
/// <param name="BatchEmbedUri">AI Studio's <c>:batchEmbedContents</c>; null on Vertex, whose <c>:predict</c> takes a list.</param>
/// <param name="ApiKey">Sent in <c>x-goog-api-key</c> when set (AI Studio).</param>
/// <param name="Auth">Applied once the request is final (Vertex's access token); null for key-only targets.</param>
internal sealed record GeminiTarget(Uri GenerateUri, Uri StreamUri, Uri EmbedUri, Uri? BatchEmbedUri, string? ApiKey, IUpstreamAuth? Auth)
{
    /// <summary>Vertex AI: its embeddings API (<c>instances</c>/<c>predictions</c>) and request <c>labels</c>.</summary>
    public bool IsVertex => BatchEmbedUri is null;

    /// <summary>Google AI Studio: <c>{api_base}/v1beta/models/{model}:…</c> with the deployment's key.</summary>
    public static GeminiTarget AiStudio(Deployment deployment)
    {
        var models = ModelsBase(deployment.ApiBase!) + "/models/" + ModelPath(deployment.ModelId);
        return new GeminiTarget(new Uri(models + GeminiWire.GenerateSuffix), new Uri(models + GeminiWire.StreamSuffix),
            new Uri(models + ":embedContent"), new Uri(models + ":batchEmbedContents"),
            string.IsNullOrEmpty(deployment.ApiKey) ? null : deployment.ApiKey, null);
    }

    /// <summary>The model as AI Studio's paths and batch requests name it: without a leading <c>models/</c>.</summary>
    public static string ModelPath(string modelId) =>
        modelId.StartsWith("models/", StringComparison.Ordinal) ? modelId["models/".Length..] : modelId;

    /// <summary><c>api_base</c> is the host root; one that already names the API version is used as given.</summary>
    private static string ModelsBase(string apiBase)
    {
        var trimmed = apiBase.TrimEnd('/');
        return trimmed.EndsWith("/v1beta", StringComparison.Ordinal) || trimmed.EndsWith("/v1", StringComparison.Ordinal)
            ? trimmed
            : trimmed + "/" + GeminiWire.ApiVersion;
    }
}
