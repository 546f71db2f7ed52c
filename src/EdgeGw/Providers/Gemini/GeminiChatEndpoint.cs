using EdgeGw.Api;

namespace EdgeGw.Providers.Gemini;

/// <summary>Placeholder until the Gemini adapter lands: a clear 501.</summary>
internal sealed class GeminiChatEndpoint(ProviderContext context) : ChatEndpoint(context.Deployment)
{
    public override ValueTask<ProviderResult> ChatAsync(ChatCall call, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ProviderResult.Failed(new GatewayError(501,
            $"Provider '{Deployment.Provider}/' is not available in this build yet.", "not_implemented_error", "501")));
}
