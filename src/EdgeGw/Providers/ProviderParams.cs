namespace EdgeGw.Providers;

/// <summary>
/// The provider-specific <c>litellm_params</c> a provider's adapter reads from
/// <see cref="Config.Deployment.OtherParams"/>: these are acted on, so start-up does not list them as ignored.
/// </summary>
internal static class ProviderParams
{
    public static bool IsActedOn(ProviderKind? kind, string key) => kind switch
    {
        ProviderKind.Ollama => Ollama.OllamaWire.IsDeploymentParam(key),
        ProviderKind.Bedrock => Bedrock.BedrockParams.Names.Contains(key),
        ProviderKind.Vertex => Vertex.VertexParams.Names.Contains(key),
        _ => false,
    };
}
