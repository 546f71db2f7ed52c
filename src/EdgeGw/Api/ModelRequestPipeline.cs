using System.Collections.Immutable;
using EdgeGw.Auth;
using EdgeGw.Config;
using EdgeGw.Limits;
using EdgeGw.Providers;
using EdgeGw.Routing;
using EdgeGw.Spend;

namespace EdgeGw.Api;

/// <summary>One attempt at a model request on a chosen deployment of <paramref name="group"/> (the name the answer carries).</summary>
internal delegate ValueTask<ProviderResult> ModelAttempt<TState>(TState state, ModelGroup group, ChatEndpoint endpoint,
    RequestAccounting accounting, CancellationToken cancellationToken);

/// <summary>
/// The stages every model request (chat, messages, embeddings) shares once its body is parsed:
/// <code>
///   allowlist + budgets → for the group, then each fallback group:
///     rate limits (key, team, user, global; deployment rpm/tpm) + strategy pick (skips cooling,
///       saturated and already-tried deployments) → attempt → health (latency, failures, cooldown)
///     → failed before the first byte? retry (now on another deployment, else after backoff)
///   → settle tokens, free parallel slots (every path) → bill → error envelope if nothing was sent
/// </code>
/// </summary>
internal static class ModelRequestPipeline
{
    public static async Task RunAsync<TState>(HttpContext context, GatewayState gateway, ModelGroup group, long estimatedPromptTokens,
        RequestRoutingOptions options, TState state, ModelAttempt<TState> attempt, Func<HttpContext, GatewayError, Task> writeError)
    {
        var caller = Caller.Of(context);
        var error = ModelAccess.Check(caller, gateway.Data.Accounts, group.Name) ?? gateway.Data.Ledger.Check(caller, gateway.GlobalBudget);
        if (error is not null)
        {
            await writeError(context, error);
            return;
        }

        if (options.MockResponse is not null && !Providers.Mock.ClientMock.Allowed(caller, gateway.Data.Accounts))
            options = options with { MockResponse = null };
        var run = new RouteRun<TState>(context, gateway, caller, estimatedPromptTokens, options, state, attempt, group.Name);
        using var deadline = options.Timeout is { } timeout
            ? RequestDeadline.Start(context, gateway.Time, timeout, "the request's timeout")
            : RequestDeadline.Start(context, gateway.Time, gateway.Config.Litellm.RequestTimeout, "litellm_settings.request_timeout");
        var token = deadline?.Token ?? context.RequestAborted;
        ProviderResult result;
        try
        {
            var canFallBack = !FallbackTargets(options, group.Settings, group.Name, ErrorClass.RateLimit).IsEmpty;
            result = await run.GroupAsync(group, canFallBack, token);
            if (run.ShouldFallBack(result))
                result = await FallBackAsync(run, group, result, token);
        }
        catch (OperationCanceledException) when (deadline is { TimedOut: true } && !context.RequestAborted.IsCancellationRequested)
        {
            result = ProviderResult.Failed(deadline.Error());
        }
        finally
        {
            run.Settle();
        }
        await run.Accounting.CompleteAsync(result);
        if (result.Error is not null && !result.ResponseStarted && !context.RequestAborted.IsCancellationRequested)
            await writeError(context, result.Error);
    }

    /// <summary>
    /// The fallback groups for the first group's failure, in list order, at most <c>max_fallbacks</c>.
    /// A group the caller may not use, or whose every deployment is cooling down, is passed over at
    /// once. When none answers, the client gets the first group's error (LiteLLM's behaviour).
    /// </summary>
    private static async ValueTask<ProviderResult> FallBackAsync<TState>(RouteRun<TState> run, ModelGroup group, ProviderResult failed, CancellationToken token)
    {
        var targets = FallbackTargets(run.Options, group.Settings, group.Name, RetryRules.Classify(failed.Error!));
        var tried = 0;
        foreach (var name in targets)
        {
            if (tried >= group.Settings.MaxFallbacks)
                break;
            if (name == group.Name || !run.Gateway.Models.TryFind(name, out var fallback)
                || ModelAccess.Check(run.Caller, run.Gateway.Data.Accounts, fallback.Name) is not null
                || !fallback.HasHealthy(default, run.Now))
                continue;
            tried++;
            run.Fallbacks = tried;
            var result = await run.GroupAsync(fallback, canFallBack: false, token);
            if (!run.ShouldFallBack(result))
                return result.Error is null || result.ResponseStarted ? result : failed;
        }
        return failed;
    }

    private static ImmutableArray<string> FallbackTargets(in RequestRoutingOptions options, RouterSettings settings, string group, ErrorClass kind)
    {
        if (options.DisableFallbacks || !RetryRules.FallsBack(kind))
            return [];
        return kind switch
        {
            ErrorClass.ContextWindow => settings.ContextWindowFallbacks.For(group),
            ErrorClass.ContentPolicy => settings.ContentPolicyFallbacks.For(group),
            _ => options.Fallbacks ?? (settings.Fallbacks.For(group) is { IsEmpty: false } list ? list : settings.DefaultFallbacks),
        };
    }
}
