using EdgeGw.Api;

namespace EdgeGw.Providers.Anthropic;

/// <summary>Placeholder until the Anthropic adapter lands: a clear 501.</summary>
internal sealed class AnthropicChatEndpoint(ProviderContext context) : ChatEndpoint(context.Deployment)
{
    public override ValueTask<ProviderResult> ChatAsync(ChatCall call, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ProviderResult.Failed(new GatewayError(501,
            $"Provider '{Deployment.Provider}/' is not available in this build yet.", "not_implemented_error", "501")));
}
