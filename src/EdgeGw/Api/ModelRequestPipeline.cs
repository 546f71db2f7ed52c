using EdgeGw.Auth;
using EdgeGw.Config;
using EdgeGw.Json;
using EdgeGw.Limits;
using EdgeGw.Providers;
using EdgeGw.Routing;
using EdgeGw.Spend;

namespace EdgeGw.Api;

/// <summary>One attempt at a model request on a chosen deployment.</summary>
internal delegate ValueTask<ProviderResult> ModelAttempt<TState>(TState state, ChatEndpoint endpoint, RequestAccounting accounting);

/// <summary>
/// The stages every model request (chat, messages, embeddings) shares once its body is parsed:
/// <code>
///   allowlist + budgets → rate limits (key, team, user, global; deployment rpm/tpm skips saturated
///     deployments) → attempt on the picked deployment → settle tokens, free parallel slots (every
///     path) → bill (in memory before the response ends) → error envelope if nothing was sent
/// </code>
/// </summary>
internal static class ModelRequestPipeline
{
    public static async Task RunAsync<TState>(HttpContext context, GatewayState gateway, ModelGroup group, long estimatedPromptTokens,
        TState state, ModelAttempt<TState> attempt, Func<HttpContext, GatewayError, Task> writeError)
    {
        var caller = Caller.Of(context);
        var error = ModelAccess.Check(caller, gateway.Data.Accounts, group.Name) ?? gateway.Data.Ledger.Check(caller, gateway.GlobalBudget);
        if (error is not null)
        {
            await writeError(context, error);
            return;
        }

        var now = gateway.Time.GetUtcNow().UtcTicks;
        var countType = gateway.Config.General.TokenRateLimitType;
        var estimate = countType == TokenRateLimitType.Output ? 0 : estimatedPromptTokens;
        var targets = new LimitTargets();
        var count = CallerLimits(ref targets, caller, gateway, now);
        if (!group.TryPickAdmitted(ref targets, count, estimate, now, out var endpoint, out var admission, out var refusal))
        {
            await writeError(context, RateLimitResponse.Refused(refusal, group.Name));
            return;
        }
        RateLimitResponse.WriteHeaders(context.Response, ref targets, endpoint.Limits is null ? count : count + 1, now);

        var lease = new LimitLease(admission, countType, estimate, gateway.Time);
        var accounting = new RequestAccounting(gateway.Data.Ledger, caller, context, group.Name) { Endpoint = endpoint, Lease = lease };
        ProviderResult result = default;
        try
        {
            result = await attempt(state, endpoint, accounting);
        }
        finally
        {
            // Runs on success, upstream error, timeout, client disconnect and exceptions alike, so a
            // parallel slot is never leaked (a no-op when usage already settled it).
            lease.Complete(result.Usage, result.Error is not null && !result.ResponseStarted);
        }
        await accounting.CompleteAsync(result);
        if (result.Error is not null && !result.ResponseStarted && !context.RequestAborted.IsCancellationRequested)
            await writeError(context, result.Error);
    }

    /// <summary>The caller's key, team and user limits (the master key has none), then the global cap.</summary>
    private static int CallerLimits(ref LimitTargets targets, Caller caller, GatewayState gateway, long now)
    {
        var count = 0;
        if (caller.Key is { } key)
        {
            Add(ref targets, ref count, AccountLimits.Current(key, now));
            var settings = key.Settings;
            if (gateway.Data.Accounts.TeamOf(settings) is { } team)
                Add(ref targets, ref count, AccountLimits.Current(team, now));
            if (gateway.Data.Accounts.UserOf(settings) is { } user)
                Add(ref targets, ref count, AccountLimits.Current(user, now));
        }
        var global = gateway.Limits.Global.Ensure(null, null, gateway.Config.General.MaxParallelRequests, now);
        Add(ref targets, ref count, global.IsEmpty ? null : global);
        return count;
    }

    private static void Add(ref LimitTargets targets, ref int count, EntityLimits? limits)
    {
        if (limits is not null)
            targets[count++] = limits;
    }
}
