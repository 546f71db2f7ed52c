using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using EdgeGw.Auth;
using EdgeGw.Config;
using EdgeGw.Providers;
using EdgeGw.Routing;

namespace EdgeGw.Api;

/// <summary>
/// LiteLLM's fallbacks: a group that fails after its retries is followed by its fallback groups in
/// list order, and a fallback group that fails is followed by <em>its own</em> fallbacks, depth
/// first (<c>gpt-5.2 → claude-sonnet → llama-groq</c>). Bounded by <c>max_fallbacks</c> groups per
/// request; a group already tried in this request is never entered again, so a cycle (a→b, b→a)
/// ends instead of running to the bound as LiteLLM's does.
/// </summary>
internal static class FallbackChain
{
    /// <summary>
    /// Follows the chain from <paramref name="group"/>'s failure. When nothing answers, the client
    /// gets <paramref name="group"/>'s own error (LiteLLM re-raises each level's original exception),
    /// with the routing headers naming that group again.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<ProviderResult> RunAsync<TState>(RouteRun<TState> run, TState state, ModelAttempt<TState> attempt, ModelGroup group,
        ProviderResult failed, CancellationToken token)
    {
        var blamed = run.LastEndpointIn(group);
        var result = await FollowAsync(run, state, attempt, group, failed, token);
        if (result.Error is not null && !result.ResponseStarted)
            run.NameFailedGroup(group, blamed);
        return result;
    }

    /// <summary>Whether a 429 in <paramref name="group"/> has somewhere else to go (LiteLLM then skips its retries).</summary>
    public static bool HasRateLimitFallbacks(in RequestRoutingOptions options, ModelGroup group) =>
        !Targets(options, group.Settings, group.Name, ErrorClass.RateLimit).IsEmpty;

    /// <summary>
    /// Whether a non-streamed answer ending in <c>content_filter</c> should fall back (LiteLLM's
    /// <c>_should_raise_content_policy_error</c>): the group has an entry in
    /// <c>content_policy_fallbacks</c> or, without that setting, there are default fallbacks.
    /// </summary>
    /// <param name="disableFallbacks">The request's <c>disable_fallbacks</c>: only it, not the whole options, rides in each attempt's state.</param>
    public static bool TakesFilteredAnswers(bool disableFallbacks, ModelGroup group)
    {
        var settings = group.Settings;
        if (disableFallbacks)
            return false;
        if (!settings.ContentPolicyFallbacks.IsEmpty)
            return !settings.ContentPolicyFallbacks.For(group.Name).IsEmpty;
        return settings.Fallbacks.HasWildcard || !settings.DefaultFallbacks.IsEmpty;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<ProviderResult> FollowAsync<TState>(RouteRun<TState> run, TState state, ModelAttempt<TState> attempt, ModelGroup group,
        ProviderResult failed, CancellationToken token)
    {
        var targets = Targets(run.Options, group.Settings, group.Name, RetryRules.Classify(failed.Error!));
        GatewayError? fallbackError = null;
        foreach (var name in targets)
        {
            if (run.Fallbacks >= group.Settings.MaxFallbacks)
                break;
            if (!run.Gateway.Models.TryFind(name, out var fallback) || !run.EnterGroup(fallback.Name)
                || ModelAccess.Check(run.Caller, run.Gateway.Data.Accounts, run.Gateway.Models.AccessGroups, fallback) is not null
                || !fallback.HasHealthy(default, run.Now))
                continue;
            run.Fallbacks++;
            var result = await run.GroupAsync(fallback, state, attempt, HasRateLimitFallbacks(run.Options, fallback), token);
            if (run.ShouldFallBack(result))
                result = await FollowAsync(run, state, attempt, fallback, result, token);
            if (result.Error is null || result.ResponseStarted)
                return result;
            fallbackError = result.Error;
            if (!run.ShouldFallBack(result))
                break; // the caller's own limit or a gone client: no other group would help
        }
        return fallbackError is null ? failed : failed with { Error = Explained(failed.Error!, group.Name, targets, fallbackError) };
    }

    /// <summary>LiteLLM's note on the error it re-raises after failed fallbacks: which group, which fallbacks, what they said.</summary>
    private static GatewayError Explained(GatewayError error, string group, ImmutableArray<string> targets, GatewayError fallbackError) => error with
    {
        Message = $"{error.Message}. Received Model Group={group}\nAvailable Model Group Fallbacks=['{string.Join("', '", targets)}']\nError doing the fallback: {fallbackError.Message}",
    };

    /// <summary>
    /// LiteLLM's choice of list: <c>context_window_fallbacks</c> / <c>content_policy_fallbacks</c> for
    /// their errors when that setting exists (a group missing from it gets none), else <c>fallbacks</c>
    /// (then <c>default_fallbacks</c>); a request's own <c>fallbacks</c> replace the configured ones.
    /// </summary>
    private static ImmutableArray<string> Targets(in RequestRoutingOptions options, RouterSettings settings, string group, ErrorClass kind)
    {
        if (options.DisableFallbacks || !RetryRules.FallsBack(kind))
            return [];
        if (kind == ErrorClass.ContextWindow && !settings.ContextWindowFallbacks.IsEmpty)
            return settings.ContextWindowFallbacks.For(group);
        if (kind == ErrorClass.ContentPolicy && !settings.ContentPolicyFallbacks.IsEmpty)
            return settings.ContentPolicyFallbacks.For(group);
        return options.Fallbacks is { } asked ? ClientRoutingCaps.Fallbacks(asked, settings) : (settings.Fallbacks.For(group) is { IsEmpty: false } list ? list : settings.DefaultFallbacks);
    }
}
