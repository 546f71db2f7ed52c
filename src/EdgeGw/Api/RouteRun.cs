using System.Runtime.CompilerServices;
using EdgeGw.Auth;
using EdgeGw.Config;
using EdgeGw.Limits;
using EdgeGw.Providers;
using EdgeGw.Routing;
using EdgeGw.Spend;

namespace EdgeGw.Api;

/// <summary>
/// One client request's way through model groups: the attempts in a group (retries), and what
/// carries over between them — the bill, the counts in the response headers, the hold on limits.
/// </summary>
internal sealed class RouteRun<TState>
{
    private readonly HttpContext _context;
    private readonly RequestEstimate _estimate;
    private LimitLease? _pending; // the last failed attempt's hold: released when another starts, else settled
    private long _firstByte;
    private bool _callerRefused;
    private readonly string _firstGroup;
    private List<string>? _fallbackGroups; // entered in this request, for FallbackChain's cycle check; made on the first fallback
    private ModelGroup? _lastGroup;
    private ChatEndpoint? _lastEndpoint;

    public RouteRun(HttpContext context, GatewayState gateway, Caller caller, RequestEstimate estimate, RequestRoutingOptions options, string groupName)
    {
        _context = context;
        Gateway = gateway;
        Caller = caller;
        // Most requests carry no routing options: they share one box rather than copying ≈ 100 B into every run.
        _options = options == default ? NoOptions : new StrongBox<RequestRoutingOptions>(options);
        _estimate = estimate;
        Accounting = new RequestAccounting(gateway.Data.Ledger, caller, context, groupName, options.Attribution);
        _firstGroup = groupName;
        context.Response.OnStarting(static s =>
        {
            var run = (RouteRun<TState>)s;
            run._firstByte = run.Gateway.Time.GetTimestamp();
            return Task.CompletedTask;
        }, this);
    }

    public GatewayState Gateway { get; }
    public Caller Caller { get; }
    private static readonly StrongBox<RequestRoutingOptions> NoOptions = new(default);
    private readonly StrongBox<RequestRoutingOptions> _options;

    public ref readonly RequestRoutingOptions Options => ref _options.Value;
    public RequestAccounting Accounting { get; }
    public int Retries { get; private set; }
    public int Fallbacks { get; set; }
    public long Now => Gateway.Time.GetUtcNow().UtcTicks;

    /// <summary>Marks a group as entered; false when this request already went through it.</summary>
    public bool EnterGroup(string name)
    {
        _fallbackGroups ??= [];
        if (name == _firstGroup || _fallbackGroups.Contains(name))
            return false;
        _fallbackGroups.Add(name);
        return true;
    }

    /// <summary>The deployment last attempted, when it belongs to <paramref name="group"/>.</summary>
    public ChatEndpoint? LastEndpointIn(ModelGroup group) => ReferenceEquals(_lastGroup, group) ? _lastEndpoint : null;

    /// <summary>Points the routing headers back at the group whose error the client gets.</summary>
    public void NameFailedGroup(ModelGroup group, ChatEndpoint? endpoint) =>
        RouteHeaders.Set(_context.Response, group, endpoint, Retries, Fallbacks);

    /// <summary>Failed before the first byte, for a reason another model group might not share.</summary>
    public bool ShouldFallBack(in ProviderResult result) =>
        result.Error is not null && !result.ResponseStarted && !_callerRefused && !_context.RequestAborted.IsCancellationRequested;

    /// <summary>Attempts <paramref name="group"/> until one answers, the retries allowed for the error are spent, or no deployment is left.</summary>
    /// <param name="attempt">Calls one deployment with the endpoint's <paramref name="state"/>: both ride in the callers' pooled
    /// state machines, not in this object (the parsed request is copied by value, ≈ 100 B a request).</param>
    /// <param name="canFallBack">Whether fallbacks wait: LiteLLM then skips the retries of a 429 that no other deployment could take.</param>
    [AsyncMethodBuilder(typeof(Buffers.PooledValueTaskMethodBuilder<>))]
    public async ValueTask<ProviderResult> GroupAsync(ModelGroup group, TState state, ModelAttempt<TState> attempt, bool canFallBack,
        CancellationToken cancellationToken)
    {
        var settings = group.Settings;
        var numRetries = ClientRoutingCaps.NumRetries(Options.NumRetries, settings);
        var countType = Gateway.Config.General.TokenRateLimitType;
        var outputTokens = _estimate.OutputTokens(group);
        var reserved = _estimate.Tokens(countType, outputTokens);
        // An answer without usage settles to its prompt estimate, as before reservations: charging the
        // whole output cap would throttle providers that never report usage.
        var withoutUsage = _estimate.Tokens(countType, 0);
        var tried = new DeploymentSet();
        if (!ContextWindowCheck.ExcludeTooSmall(group, _estimate.PromptTokens, ref tried))
        {
            _callerRefused = false; // the request's own size: a larger group may still take it
            return ProviderResult.Failed(ContextWindowCheck.Exceeded(group, _estimate.PromptTokens));
        }
        var retry = 0;
        GatewayError? last = null;
        Refusal? sharedFull = null; // the last deployment Redis found at its rpm/tpm: skipped like a locally saturated one
        while (true)
        {
            // Calls already made are finished for a client that left (they are billed); new ones are not started.
            if (_context.RequestAborted.IsCancellationRequested)
                return ProviderResult.Failed(last ?? Spend.RequestAccounting.ClientLeft);
            // Released before the clock is read: a bucket refunded "later" than now would still look used.
            _pending?.Release();
            _pending = null;
            Accounting.Budget.Release();
            var now = Now;
            using var limits = Observability.Otel.StageSpan.Start(_context, "limits");
            var targets = new LimitTargets();
            var count = CallerLimits(ref targets, now);
            var outcome = group.TryPickAdmitted(ref targets, count, reserved, now, tried, out var index, out var admission, out var refusal,
                Options.PreferredDeployment);
            if (outcome == PickOutcome.NoneAvailable && sharedFull is { } full)
                (outcome, refusal) = (PickOutcome.Saturated, full);
            if (outcome != PickOutcome.Admitted)
            {
                _callerRefused = outcome == PickOutcome.CallerRefused;
                limits.Refuse(outcome == PickOutcome.NoneAvailable ? "no deployment available" : "rate limit reached");
                return ProviderResult.Failed(last ?? (outcome == PickOutcome.NoneAvailable
                    ? NoDeployments(group, now)
                    : RateLimitResponse.Refused(refusal, group.Name)));
            }

            var endpoint = group.Endpoints[index];
            var budgetError = Gateway.Data.Ledger.Reserve(Caller, Gateway.GlobalBudget,
                CostCalculator.Reservation(endpoint.Deployment, _estimate.PromptTokens, outputTokens), ref Accounting.Budget);
            if (budgetError is not null)
            {
                admission.Release(now);
                _callerRefused = true;
                limits.Refuse(budgetError.Type);
                return ProviderResult.Failed(last ?? budgetError);
            }
            Shared.SharedHold? shared = null;
            if (Gateway.Limits.Shared is { } sharedLimits)
            {
                // This replica admitted, so only Redis can still refuse: one round trip takes every limit and budget.
                var pending = sharedLimits.AdmitAsync(ref targets, endpoint.Limits is null ? count : count + 1, reserved, Caller, ref Accounting.Budget,
                    Gateway.Data.Accounts, Gateway.GlobalBudget);
                var verdict = await pending;
                if (verdict.Outcome is Shared.SharedOutcome.Refused or Shared.SharedOutcome.Failed)
                {
                    admission.Release(Now);
                    Accounting.Budget.Release();
                    if (verdict.Outcome == Shared.SharedOutcome.Refused && endpoint.Limits is not null && ReferenceEquals(verdict.Refusal.Entity, endpoint.Limits))
                    {
                        sharedFull = verdict.Refusal;
                        tried.Add(index, group.Endpoints.Length);
                        continue;
                    }
                    _callerRefused = true;
                    limits.Refuse("refused by the shared limits");
                    return ProviderResult.Failed(last ?? verdict.Error ?? RateLimitResponse.Refused(verdict.Refusal, group.Name));
                }
                shared = verdict.Hold;
                Accounting.Budget.Shared = shared;
            }
            RateLimitResponse.WriteHeaders(_context.Response, ref targets, endpoint.Limits is null ? count : count + 1, now);
            var lease = new LimitLease(admission, countType, withoutUsage, Gateway.Time, shared);
            _pending = lease;
            limits.Dispose();
            Accounting.ModelGroup = group.Name;
            Accounting.Endpoint = endpoint;
            Accounting.Lease = lease;
            RouteHeaders.Set(_context.Response, group, endpoint, Retries, Fallbacks);
            _lastGroup = group;
            _lastEndpoint = endpoint;
            var health = endpoint.Health;
            var started = Gateway.Time.GetTimestamp();
            _firstByte = 0;
            ProviderResult result;
            health.Enter();
            try
            {
                result = await attempt(state, group, Options.MockResponse is { } mock ? Providers.Mock.ClientMock.Endpoint(endpoint, mock, Gateway.Time) : endpoint,
                    Accounting, cancellationToken);
                result = result.WithPromptEstimate(_estimate.PromptTokens);
            }
            finally
            {
                health.Exit();
            }

            now = Now;
            if (result.Error is null || result.ResponseStarted)
            {
                _pending = null;
                // Runs on success and on a stream cut alike; a no-op when usage already settled it.
                lease.Complete(result.Usage, failedBeforeAnswer: false);
            }
            if (result.Error is null)
            {
                health.RecordSuccess(now);
                // Only usage-based routing reads the replicas' shared usage: other groups send nothing per success.
                if (settings.Strategy == RoutingStrategy.UsageBased)
                    health.RecordUsage(now, result.Usage.TotalTokens);
                if (_firstByte != 0)
                    health.RecordLatency(Gateway.Time.GetElapsedTime(started, _firstByte));
                return result;
            }
            if (_context.RequestAborted.IsCancellationRequested)
                return result;
            CooldownPolicy.OnFailure(health, result.Error, group.Endpoints.Length, settings, now);
            if (result.ResponseStarted)
                return result; // bytes reached the client: never retried

            last = result.Error;
            tried.Add(index, group.Endpoints.Length);
            var otherHealthy = group.HasHealthy(tried, now);
            var kind = RetryRules.Classify(last);
            if (retry >= RetryRules.Allowed(kind, settings.RetryPolicy, numRetries, otherHealthy)
                || (!otherHealthy && (!RetryRules.WorthWaiting(last) || (kind == ErrorClass.RateLimit && canFallBack))))
                return result;
            retry++;
            Retries++;
            if (!otherHealthy)
            {
                await Task.Delay(RetryRules.Backoff(retry - 1, last, settings.RetryAfter), Gateway.Time, cancellationToken);
                tried.Clear();
                ContextWindowCheck.ExcludeTooSmall(group, _estimate.PromptTokens, ref tried);
            }
        }
    }

    /// <summary>Settles the hold of a last attempt that failed before answering (every path, exceptions included).</summary>
    public void Settle()
    {
        _pending?.Complete(default, failedBeforeAnswer: true);
        _pending = null;
    }

    private static GatewayError NoDeployments(ModelGroup group, long now)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(group.UntilFirstCooled(now).TotalSeconds));
        // LiteLLM's wording, which clients and dashboards match on.
        return new GatewayError(429,
            $"No deployments available for selected model, Try again in {seconds} seconds. Passed model={group.Name}. Every deployment is cooling down after failures.",
            "rate_limit_error", "429") { RetryAfterSeconds = seconds };
    }

    /// <summary>
    /// A cache hit: counted against the caller's own limits (LiteLLM's key rpm), no deployment's — with
    /// Redis, across replicas (one admit round trip, settled at once: no provider call to wait for). The refusal, if any.
    /// </summary>
    public async ValueTask<GatewayError?> AdmitCallerOnlyAsync()
    {
        var now = Now;
        var targets = new LimitTargets();
        var count = CallerLimits(ref targets, now);
        if (!Admission.TryAdmit(ref targets, count, 0, now, out var admission, out var refusal))
            return RateLimitResponse.Refused(refusal, _firstGroup);
        if (Gateway.Limits.Shared is { } sharedLimits)
        {
            var noBudget = default(BudgetHold); // a hit costs $0: no reservation to take
            var verdict = await sharedLimits.AdmitAsync(ref targets, count, 0, Caller, ref noBudget, Gateway.Data.Accounts, Gateway.GlobalBudget);
            if (verdict.Outcome is Shared.SharedOutcome.Refused or Shared.SharedOutcome.Failed)
            {
                admission.Release(Now);
                return verdict.Error ?? RateLimitResponse.Refused(verdict.Refusal, _firstGroup);
            }
            if (verdict.Hold is { } hold)
            {
                hold.TokensDone(0);
                hold.BudgetDone();
            }
        }
        RateLimitResponse.WriteHeaders(_context.Response, ref targets, count, now);
        admission.Complete(0, now);
        return null;
    }

    /// <summary>The caller's key, team and user limits (the master key has none), then the global cap.</summary>
    private int CallerLimits(ref LimitTargets targets, long now)
    {
        var count = 0;
        if (Caller.Key is { } key)
        {
            Add(ref targets, ref count, AccountLimits.Current(key, now));
            var settings = key.Settings;
            if (Gateway.Data.Accounts.TeamOf(settings) is { } team)
                Add(ref targets, ref count, AccountLimits.Current(team, now));
            if (Gateway.Data.Accounts.UserOf(settings) is { } user)
                Add(ref targets, ref count, AccountLimits.Current(user, now));
        }
        var global = Gateway.Limits.Global.Ensure(null, null, Gateway.Config.General.MaxParallelRequests, now);
        Add(ref targets, ref count, global.IsEmpty ? null : global);
        return count;
    }

    private static void Add(ref LimitTargets targets, ref int count, EntityLimits? limits)
    {
        if (limits is not null)
            targets[count++] = limits;
    }
}
