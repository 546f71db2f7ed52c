using EdgeGw.Api;
using EdgeGw.Config;

namespace EdgeGw.Providers;

/// <summary>A name a wildcard matched but no provider can serve (e.g. one LiteLLM infers none for): a 400 saying why.</summary>
internal sealed class UnroutableChatEndpoint(Deployment deployment, string problem) : ChatEndpoint(deployment)
{
    public override ValueTask<ProviderResult> ChatAsync(ChatCall call, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ProviderResult.Failed(GatewayError.BadRequest(problem, "model")));

    public override ValueTask<ProviderResult> EmbedAsync(EmbeddingCall call, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ProviderResult.Failed(GatewayError.BadRequest(problem, "model")));
}
