using EdgeGw.Api;
using EdgeGw.Config;

namespace EdgeGw.Providers;

/// <summary>A provider whose translation is not in this build: a clear 501 rather than a wrong answer.</summary>
internal sealed class UnavailableChatEndpoint(Deployment deployment) : ChatEndpoint(deployment)
{
    public override ValueTask<ProviderResult> ChatAsync(ChatCall call, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ProviderResult.Failed(new GatewayError(501,
            $"Provider '{Deployment.Provider}/' is configured but its translation is not available in this build.",
            "not_implemented_error", "501")));
}
