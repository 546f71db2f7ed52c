using EdgeGw.Auth;
using EdgeGw.Api;
using EdgeGw.Storage;

namespace EdgeGw.Spend;

/// <summary>
/// Budgets at request time. <see cref="Check"/> runs before a request is sent: it starts new
/// windows whose reset time has passed and refuses once spend ≥ max_budget for the key, its team
/// and the user's budget in that team (a team key) or its user (a key without a team), or the proxy. <see cref="Charge"/> adds a finished request's cost to the same counters
/// in memory, synchronously, so the very next request sees it; the row and the counters' new
/// states go to the <see cref="SpendWriter"/>.
/// </summary>
/// <remarks>
/// Semantics at the limit: a request admitted while spend + reserved &lt; budget may finish above it
/// (its cost is unknown until it ends), by at most its own reservation plus what its usage exceeds
/// it by; no request is admitted once spend ≥ budget, nor while requests in flight have reserved the rest.
/// </remarks>
internal sealed class SpendLedger(Accounts accounts, SpendWriter writer, TimeProvider time)
{
    public Accounts Accounts { get; } = accounts;
    public SpendWriter Writer { get; } = writer;
    public TimeProvider Time { get; } = time;
    /// <summary>The calendar budget windows reset on; set from each config (<c>litellm_settings.timezone</c>).</summary>
    public BudgetClock Clock { get; set; } = BudgetClock.Utc;
    /// <summary>False with <c>general_settings.disable_spend_logs</c>: spend still counts, no row per request is stored.</summary>
    public bool WritesRows { get; set; } = true;
    /// <summary>Where each finished request's row also goes (generic_api webhooks); null: no callbacks.</summary>
    public Observability.Callbacks.CallbackDispatcher? Callbacks { get; set; }

    public GatewayError? Check(Caller caller, GlobalBudget global)
    {
        var now = Time.GetUtcNow();
        List<CounterUpdate>? resets = null;
        var error = CheckAll(caller, global, now, ref resets);
        if (resets is not null)
            _ = Writer.EnqueueAsync(new SpendWork { Counters = [.. resets] });
        return error;
    }

    private GatewayError? CheckAll(Caller caller, GlobalBudget global, DateTimeOffset now, ref List<CounterUpdate>? resets)
    {
        if (caller.Key is { } key)
        {
            var settings = key.Settings;
            var error = CheckOne(key.Spend, settings.MaxBudgetNanos, settings.BudgetDuration, now, null, null, out var reset);
            if (reset is not null)
                (resets ??= []).Add(new CounterUpdate(CounterTable.Key, settings.TokenHex, reset.Value));
            if (error is not null)
                return error;
            // LiteLLM: a team key answers to its team's budget and its user's budget in the team, not
            // to the user's personal budget (that one applies to the user's keys outside teams).
            if (Accounts.TeamOf(settings) is { } team)
            {
                var t = team.Settings;
                error = CheckOne(team.Spend, t.MaxBudgetNanos, t.BudgetDuration, now, "Team", t.TeamId, out reset);
                if (reset is not null)
                    (resets ??= []).Add(new CounterUpdate(CounterTable.Team, t.TeamId, reset.Value));
                if (error is not null)
                    return error;
                if (Accounts.MemberOf(settings) is { Settings.MaxBudgetNanos: { } memberMax } member && member.Spend.Nanos >= memberMax)
                    return BudgetError.Exceeded($" User={settings.UserId} in Team={t.TeamId}", member.Spend.Nanos, memberMax);
            }
            else if (Accounts.UserOf(settings) is { } user)
            {
                var u = user.Settings;
                error = CheckOne(user.Spend, u.MaxBudgetNanos, u.BudgetDuration, now, "User", u.UserId, out reset);
                if (reset is not null)
                    (resets ??= []).Add(new CounterUpdate(CounterTable.User, u.UserId, reset.Value));
                if (error is not null)
                    return error;
            }
        }
        var globalError = CheckOne(Accounts.Global, global.MaxBudgetNanos, global.Duration, now, null, null, out var globalReset);
        if (globalReset is not null)
            (resets ??= []).Add(new CounterUpdate(CounterTable.Global, "1", globalReset.Value));
        return globalError;
    }

    private GatewayError? CheckOne(SpendCounter counter, long? max, BudgetDuration? duration, DateTimeOffset now,
        string? kind, string? id, out CounterState? reset)
    {
        reset = counter.ResetIfDue(duration, now, Clock);
        if (max is null)
            return null;
        var spend = counter.Nanos;
        return spend >= max.Value ? BudgetError.Exceeded(kind is null ? null : $" {kind}={id}", spend, max.Value) : null;
    }

    /// <summary>
    /// Reserves <paramref name="nanos"/> — the request's priced estimate on the deployment chosen —
    /// on every budget the caller spends from, all or nothing, each while its spend + reserved &lt;
    /// max_budget. Returns the budget 429 naming the first that has no room; the hold releases on
    /// every path (<see cref="RequestAccounting"/>). A free request reserves nothing.
    /// </summary>
    public GatewayError? Reserve(Caller caller, GlobalBudget global, long nanos, ref BudgetHold hold)
    {
        hold.Start(nanos);
        if (nanos <= 0)
            return null;
        if (caller.Key is { } key)
        {
            var settings = key.Settings;
            if (!hold.TryAdd(key.Spend, settings.MaxBudgetNanos))
                return Refuse(ref hold, key.Spend, settings.MaxBudgetNanos, null);
            if (Accounts.TeamOf(settings) is { } team)
            {
                var t = team.Settings;
                if (!hold.TryAdd(team.Spend, t.MaxBudgetNanos))
                    return Refuse(ref hold, team.Spend, t.MaxBudgetNanos, $" Team={t.TeamId}");
                if (Accounts.MemberOf(settings) is { } member && !hold.TryAdd(member.Spend, member.Settings.MaxBudgetNanos))
                    return Refuse(ref hold, member.Spend, member.Settings.MaxBudgetNanos, $" User={settings.UserId} in Team={t.TeamId}");
            }
            else if (Accounts.UserOf(settings) is { } user && !hold.TryAdd(user.Spend, user.Settings.MaxBudgetNanos))
            {
                return Refuse(ref hold, user.Spend, user.Settings.MaxBudgetNanos, $" User={user.Settings.UserId}");
            }
        }
        return hold.TryAdd(Accounts.Global, global.MaxBudgetNanos) ? null : Refuse(ref hold, Accounts.Global, global.MaxBudgetNanos, null);
    }

    private static GatewayError Refuse(ref BudgetHold hold, SpendCounter counter, long? max, string? who)
    {
        hold.Release();
        var spend = counter.Nanos;
        return spend >= max!.Value ? BudgetError.Exceeded(who, spend, max.Value) : BudgetError.Reserved(who, spend, counter.ReservedNanos, max.Value);
    }

    /// <summary>Adds <paramref name="costNanos"/> to every counter the caller spends from; returns the new states to persist.</summary>
    public CounterUpdate[] Charge(Caller caller, long costNanos)
    {
        if (caller.Key is not { } key)
            return [new CounterUpdate(CounterTable.Global, "1", Accounts.Global.Add(costNanos))];
        var settings = key.Settings;
        var team = Accounts.TeamOf(settings);
        var user = Accounts.UserOf(settings);
        var member = team is null ? null : Accounts.MemberOf(settings);
        var updates = new CounterUpdate[2 + (team is null ? 0 : 1) + (user is null ? 0 : 1) + (member is null ? 0 : 1)];
        var i = 0;
        updates[i++] = new CounterUpdate(CounterTable.Key, settings.TokenHex, key.Spend.Add(costNanos));
        if (team is not null)
            updates[i++] = new CounterUpdate(CounterTable.Team, team.Settings.TeamId, team.Spend.Add(costNanos));
        if (user is not null)
            updates[i++] = new CounterUpdate(CounterTable.User, user.Settings.UserId, user.Spend.Add(costNanos));
        if (member is not null)
            updates[i++] = new CounterUpdate(CounterTable.TeamMember, member.Id, member.Spend.Add(costNanos));
        updates[i] = new CounterUpdate(CounterTable.Global, "1", Accounts.Global.Add(costNanos));
        return updates;
    }
}

/// <summary><c>litellm_settings.max_budget</c> and <c>budget_duration</c>: the proxy-wide budget.</summary>
internal sealed record GlobalBudget(long? MaxBudgetNanos, BudgetDuration? Duration)
{
    public static readonly GlobalBudget None = new(null, null);
}
