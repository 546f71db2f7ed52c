using EdgeGw.Api;
using EdgeGw.Config;

namespace EdgeGw.Providers;

/// <summary>
/// A deployment whose configuration cannot reach its provider (no project, no credentials): every request
/// gets <paramref name="error"/>, so one bad entry fails its own requests, not the gateway's start-up (as LiteLLM).
/// </summary>
internal sealed class MisconfiguredChatEndpoint(Deployment deployment, GatewayError error) : ChatEndpoint(deployment)
{
    public GatewayError Error { get; } = error;

    public override ValueTask<ProviderResult> ChatAsync(ChatCall call, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ProviderResult.Failed(Error));

    public override ValueTask<ProviderResult> EmbedAsync(EmbeddingCall call, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ProviderResult.Failed(Error));
}
