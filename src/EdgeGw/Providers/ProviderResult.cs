using EdgeGw.Api;
using EdgeGw.Json;

namespace EdgeGw.Providers;

/// <summary>
/// How an attempt ended. <see cref="Error"/> with <see cref="ResponseStarted"/> false means nothing
/// reached the client yet: the caller may answer with the error, or try elsewhere.
/// </summary>
internal readonly record struct ProviderResult(GatewayError? Error, bool ResponseStarted, Usage Usage)
{
    /// <summary>A stream whose client left before its end: still billed, for what the upstream generated.</summary>
    public Streaming.ClientGone ClientGone { get; init; }

    /// <summary>An estimated usage without a prompt count gets the request's prompt estimate.</summary>
    public ProviderResult WithPromptEstimate(long promptTokens) =>
        Usage is { Estimated: true, PromptTokens: 0 } ? this with { Usage = Usage with { PromptTokens = promptTokens } } : this;

    public static ProviderResult Failed(GatewayError error) => new(error, false, default);
}
