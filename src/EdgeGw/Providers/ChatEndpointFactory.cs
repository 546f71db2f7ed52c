using EdgeGw.Config;
using EdgeGw.Providers.Anthropic;
using EdgeGw.Providers.Azure;
using EdgeGw.Providers.Bedrock;
using EdgeGw.Providers.Gemini;
using EdgeGw.Providers.Mock;
using EdgeGw.Providers.Ollama;
using EdgeGw.Providers.OpenAi;
using EdgeGw.Providers.Vertex;
using EdgeGw.Upstream;

namespace EdgeGw.Providers;

/// <summary>Binds each deployment to the adapter for its provider's wire format.</summary>
internal sealed class ChatEndpointFactory(GatewayConfig config, UpstreamClients clients, TimeProvider time)
{
    /// <summary>LiteLLM's default when neither the deployment nor <c>request_timeout</c> sets one.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(600);

    public ChatEndpoint Create(Deployment deployment)
    {
        var kind = ProviderCatalog.Find(deployment.Provider)!.Kind;
        var timeouts = new UpstreamTimeouts(
            deployment.Timeout ?? config.Router.Timeout ?? config.Litellm.RequestTimeout ?? DefaultTimeout,
            deployment.StreamTimeout ?? config.Router.StreamTimeout ?? deployment.Timeout ?? config.Router.Timeout ?? config.Litellm.RequestTimeout ?? DefaultTimeout);
        var context = new ProviderContext(deployment, clients, timeouts, config.Litellm, time, config.Environment);
        return kind switch
        {
            ProviderKind.OpenAiCompatible => new OpenAiChatEndpoint(context),
            ProviderKind.Anthropic => new AnthropicChatEndpoint(context),
            ProviderKind.Gemini => new GeminiChatEndpoint(context),
            ProviderKind.Azure => new AzureChatEndpoint(context),
            ProviderKind.Ollama => new OllamaChatEndpoint(context),
            ProviderKind.Bedrock => new BedrockChatEndpoint(context),
            ProviderKind.Vertex => VertexEndpoints.Create(context),
            ProviderKind.Mock => new MockChatEndpoint(deployment, time),
            _ => new UnavailableChatEndpoint(deployment),
        };
    }
}

/// <summary>What an adapter needs to serve one deployment; <paramref name="Environment"/> is the config's (environment_variables: applied).</summary>
internal sealed record ProviderContext(
    Deployment Deployment, UpstreamClients Clients, UpstreamTimeouts Timeouts, LitellmSettings Settings, TimeProvider Time,
    Func<string, string?> Environment);

/// <summary>Overall time for a non-streaming call; time to first byte and between bytes for a stream.</summary>
internal readonly record struct UpstreamTimeouts(TimeSpan Request, TimeSpan Stream);
