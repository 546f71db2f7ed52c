using System.Runtime.CompilerServices;
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
///   allowlist + budgets → for the group, then each fallback group (depth first, see FallbackChain):
///     rate limits (key, team, user, global; deployment rpm/tpm; tokens reserved: prompt estimate
///       + output cap) + strategy pick (skips cooling, saturated and already-tried deployments)
///       → budget reservation (the estimate priced on that deployment)
///       → with Redis: one script takes all of the above across replicas (a full deployment: pick again)
///       → attempt → health
///     → failed before the first byte? retry (now on another deployment, else after backoff)
///   → settle tokens, free parallel slots (every path) → bill, release the budget reservation (every
///     path; with Redis both end in one fire-and-forget script) → error envelope if nothing was sent
/// </code>
/// </summary>
internal static class ModelRequestPipeline
{
    /// <param name="writesSpendRow">False for a request that costs nothing by nature (count_tokens), refused or not.</param>
    /// <param name="callType">The spend row's <c>call_type</c>, as LiteLLM names the endpoint's calls.</param>
    public static ValueTask RunAsync<TState>(HttpContext context, GatewayState gateway, ModelGroup group, RequestEstimate estimate,
        RequestRoutingOptions options, TState state, ModelAttempt<TState> attempt, Func<HttpContext, GatewayError, Task> writeError,
        bool writesSpendRow = true, Cache.CacheRequest? cache = null, Observability.Callbacks.CallbackPrompt prompt = default,
        string callType = "acompletion")
    {
        var caller = Caller.Of(context);
        var error = UserParamError(gateway.Config.General, options) ?? ModelAccess.Check(caller, gateway.Data.Accounts, gateway.Models.AccessGroups, group)
            ?? (writesSpendRow ? SpendRecording.Check(gateway.Data.Writer) : null)
            ?? gateway.Data.Ledger.Check(caller, gateway.GlobalBudget);
        if (error is not null)
            return new ValueTask(writeError(context, error));

        if (options.MockResponse is not null && !Providers.Mock.ClientMock.Allowed(caller, gateway.Data.Accounts))
            options = options with { MockResponse = null };
        // A mocked answer is not the model's: neither served from nor stored in the cache under the real request's key.
        if (options.MockResponse is not null)
            cache = null;
        var run = new RouteRun<TState>(context, gateway, caller, estimate, options, group.Name);
        run.Accounting.WritesSpendRow = writesSpendRow;
        run.Accounting.CallType = callType;
        // As LiteLLM: with the cache on, a row carries the request's key whether it hit or not.
        run.Accounting.CacheKey = cache?.Key.Value;
        // Before the cache lookup: a hit's answer is logged like any other.
        run.Accounting.Content = Observability.Callbacks.ContentCapture.Begin(context, gateway, prompt);
        // Without a host (never in the server) a disconnect cancels, as before.
        var stopping = gateway.Runtime?.Stopping ?? new CancellationToken(true);
        var deadline = options.Timeout is { } timeout
            ? RequestDeadline.Start(context, gateway.Time,
                ClientRoutingCaps.Timeout(timeout, gateway.Config.Litellm.RequestTimeout ?? ChatEndpointFactory.DefaultTimeout), "the request's timeout", stopping)
            : RequestDeadline.Start(context, gateway.Time, gateway.Config.Litellm.RequestTimeout, "litellm_settings.request_timeout", stopping);
        return ForwardAsync(context, run, state, attempt, group, cache, deadline, writeError);
    }

    // The stages that wait (cache, upstream, bill) apart from the set-up above: a state machine suspended while the
    // upstream answers is a box per request under concurrency, and this one holds only what lives across the awaits.
    [AsyncMethodBuilder(typeof(Buffers.PooledValueTaskMethodBuilder))]
    private static async ValueTask ForwardAsync<TState>(HttpContext context, RouteRun<TState> run, TState state, ModelAttempt<TState> attempt,
        ModelGroup group, Cache.CacheRequest? cache, RequestDeadline deadline, Func<HttpContext, GatewayError, Task> writeError)
    {
        using var owned = deadline;
        using var content = run.Accounting.Content;
        var token = deadline.Token;
        if (cache is { LooksUp: true }
            && (cache.Prepared ?? await cache.Cache.GetAsync(cache.Key, cache.MaxAge, context.RequestAborted)) is { } entry && cache.Accepts(entry)
            && await Cache.CacheHit.AnswerAsync(context, run, group, cache, entry, writeError))
            return;
        var capture = cache is { Stores: true, Stream: false } ? Cache.ResponseCapture.Attach(context, cache.Cache.Settings.MaxEntryBytes) : default;
        using var streamStore = cache is { Stores: true, Stream: true } ? Cache.StreamStore.Begin(context, cache.Cache, cache.Format) : null;
        ProviderResult result;
        try
        {
            result = await run.GroupAsync(group, state, attempt, FallbackChain.HasRateLimitFallbacks(run.Options, group), token);
            if (run.ShouldFallBack(result))
                result = await FallbackChain.RunAsync(run, state, attempt, group, result, token);
        }
        catch (OperationCanceledException) when (deadline.TimedOut && !context.RequestAborted.IsCancellationRequested)
        {
            result = ProviderResult.Failed(deadline.Error());
        }
        finally
        {
            run.Settle();
            if (capture.Capture is not null)
                await Cache.ResponseCapture.DetachAsync(context, capture.Original);
        }
        await run.Accounting.CompleteAsync(result);
        if (capture.Capture is { } captured)
        {
            Cache.CacheHit.StoreAnswer(context, cache!, captured, result, group.Name);
            captured.Release();
        }
        streamStore?.Complete(context, cache!, result, group.Name);
        if (result.Error is not null && !result.ResponseStarted && !context.RequestAborted.IsCancellationRequested)
            await writeError(context, result.Error);
    }

    // LiteLLM raises this inside its auth step, so it reaches the client as an auth error.
    private static GatewayError? UserParamError(GeneralSettings settings, in RequestRoutingOptions options) =>
        settings.EnforceUserParam && !options.HasUserKey
            ? new GatewayError(401, "Authentication Error, 'user' param not passed in. 'enforce_user_param'=True", "auth_error", "401", "user")
            : null;
}
