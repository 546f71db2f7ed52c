using EdgeGw.Api;
using EdgeGw.Providers.Anthropic;
using EdgeGw.Providers.Gemini;

namespace EdgeGw.Providers.Vertex;

/// <summary>
/// <c>vertex_ai/</c> deployments: the Gemini and Anthropic adapters pointed at Vertex AI's URLs with a Google
/// access token; only the transport differs, the translators are the ones <c>gemini/</c> and <c>anthropic/</c> use.
/// <code>
///   gemini-*, text-embedding-*, tuned ids ─▶ GeminiChatEndpoint    …/publishers/google/models/{model}:generateContent | :streamGenerateContent?alt=sse | :predict
///   claude-*                              ─▶ AnthropicChatEndpoint …/publishers/anthropic/models/{model}:rawPredict | :streamRawPredict
///                                            (body: anthropic_version "vertex-2023-10-16", no model; no x-api-key / anthropic-version headers)
/// </code>
/// </summary>
internal static class VertexEndpoints
{
    /// <summary>The deployment's endpoint with its credentials loaded (<c>vertex_credentials</c>, …, Application Default Credentials).</summary>
    public static ChatEndpoint Create(ProviderContext context)
    {
        var credentials = Auth.GoogleCredentials.Load(context.Deployment, context.Environment);
        // Unusable credentials explain a missing project too: say what is wrong with them first.
        if (credentials.ProjectId is null && credentials.Error is { } error && VertexModels.Family(context.Deployment.ModelId) != VertexModelFamily.Unsupported)
            return new MisconfiguredChatEndpoint(context.Deployment, error);
        return Create(context, new Auth.GoogleAccessTokens(credentials, context), credentials.ProjectId);
    }

    /// <param name="auth">The deployment's access tokens.</param>
    /// <param name="project">The project its credentials or parameters name; null when none does.</param>
    public static ChatEndpoint Create(ProviderContext context, IUpstreamAuth auth, string? project)
    {
        var deployment = context.Deployment;
        var family = VertexModels.Family(deployment.ModelId);
        if (family == VertexModelFamily.Unsupported)
            return new MisconfiguredChatEndpoint(deployment, new GatewayError(501,
                $"Vertex AI model '{deployment.ModelId}' is not served by this build: vertex_ai/ serves Gemini, Claude and text-embedding models.",
                "not_implemented_error", "501"));
        if (project is null)
            return Misconfigured(deployment, "no project: set litellm_params.vertex_project or VERTEXAI_PROJECT, or use credentials that name a project_id");
        if (VertexAddress.Resolve(deployment, context.Environment, project, out var address) is { } problem)
            return Misconfigured(deployment, problem);

        if (family == VertexModelFamily.Claude)
        {
            var model = VertexAddress.AnthropicModelPath(deployment.ModelId);
            var target = new AnthropicTarget(
                address!.Method(model, VertexWire.RawPredictMethod, stream: false, sseQuery: false),
                address.Method(model, VertexWire.StreamRawPredictMethod, stream: true, sseQuery: false),
                CountTokensUri: null, ApiKey: null, auth, VertexWire.AnthropicVersion);
            return new AnthropicChatEndpoint(context, target);
        }

        var google = VertexAddress.GoogleModelPath(deployment.ModelId);
        return new GeminiChatEndpoint(context, new GeminiTarget(
            address!.Method(google, VertexWire.GenerateMethod, stream: false, sseQuery: true),
            address.Method(google, VertexWire.StreamMethod, stream: true, sseQuery: true),
            address.Method(google, VertexWire.PredictMethod, stream: false, sseQuery: false),
            BatchEmbedUri: null, ApiKey: null, auth));
    }

    private static MisconfiguredChatEndpoint Misconfigured(Config.Deployment deployment, string problem) =>
        new(deployment, GatewayError.Internal($"Vertex AI deployment '{deployment.ModelName}': {problem}."));
}
