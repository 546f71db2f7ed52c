using EdgeGw.Api;
using EdgeGw.Json;

namespace EdgeGw.Providers;

/// <summary>
/// How an attempt ended. <see cref="Error"/> with <see cref="ResponseStarted"/> false means nothing
/// reached the client yet: the caller may answer with the error, or try elsewhere.
/// </summary>
internal readonly record struct ProviderResult(GatewayError? Error, bool ResponseStarted, Usage Usage)
{
    public static ProviderResult Failed(GatewayError error) => new(error, false, default);
}
