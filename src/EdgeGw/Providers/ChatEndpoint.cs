using EdgeGw.Config;

namespace EdgeGw.Providers;

/// <summary>
/// A deployment's way of answering an OpenAI-format chat request. Implementations write the
/// success response (and any mid-stream error) themselves and return errors that happen before
/// the first byte as values.
/// </summary>
internal abstract class ChatEndpoint(Deployment deployment)
{
    public Deployment Deployment { get; } = deployment;

    /// <summary>The deployment's <c>rpm</c>/<c>tpm</c> buckets (shared across config reloads); null when unlimited.</summary>
    public Limits.EntityLimits? Limits { get; set; }

    /// <summary>In-flight count, latency and cooldown (shared across config reloads).</summary>
    public Routing.DeploymentHealth Health { get; set; } = new();

    public abstract ValueTask<ProviderResult> ChatAsync(ChatCall call, CancellationToken cancellationToken);

    /// <summary>Answers an OpenAI-format embeddings request; providers without embeddings say so with a 400.</summary>
    public virtual ValueTask<ProviderResult> EmbedAsync(EmbeddingCall call, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ProviderResult.Failed(Api.GatewayError.BadRequest(
            $"Model '{call.Group.Name}' ({Deployment.Provider}/) does not serve embeddings.", "model")));
}
