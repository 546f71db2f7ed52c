using System.Collections.Immutable;
using EdgeGw.Config;

namespace EdgeGw.Routing;

/// <summary>
/// Bounds on what a client may ask of the router in its body or headers, so one request cannot
/// turn the gateway into an amplifier against a provider: <c>num_retries</c> up to the larger of
/// the router's <c>num_retries</c> and <see cref="MinCap"/>, <c>fallbacks</c> to the first
/// max(<c>max_fallbacks</c>, <see cref="MinCap"/>) names (<c>max_fallbacks</c> still bounds the groups
/// tried), <c>timeout</c> up to the configured request timeout.
/// The config's own values are trusted and not capped.
/// </summary>
internal static class ClientRoutingCaps
{
    /// <summary>The retries (and fallback names) a client may always ask for, whatever the router's own settings.</summary>
    public const int MinCap = 10;

    public static int NumRetries(int? requested, RouterSettings settings) =>
        requested is { } n ? Math.Min(n, Math.Max(settings.NumRetries, MinCap)) : settings.NumRetries;

    public static ImmutableArray<string> Fallbacks(ImmutableArray<string> requested, RouterSettings settings)
    {
        var cap = Math.Max(settings.MaxFallbacks, MinCap);
        return requested.Length <= cap ? requested : requested[..cap];
    }

    /// <param name="configured"><c>litellm_settings.request_timeout</c>, else the deployments' default.</param>
    public static TimeSpan Timeout(TimeSpan requested, TimeSpan configured) => requested < configured ? requested : configured;
}
