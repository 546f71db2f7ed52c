using EdgeGw.Auth;
using EdgeGw.Spend;
using EdgeGw.Storage;

namespace EdgeGw.Shared;

/// <summary>Which budget a held counter is, for its copy in Redis: its table, its id (null: the caller's key) and its max.</summary>
internal readonly record struct BudgetSlot(CounterTable Table, string? Id, long MaxNanos)
{
    /// <summary>
    /// Names a counter <see cref="SpendLedger.Reserve"/> held, by reference, the way it walked the caller's
    /// budgets (found on the Redis path only, so the hold itself stays as small as without Redis).
    /// </summary>
    public static BudgetSlot Of(IBudgetCounter counter, Caller caller, Accounts accounts, GlobalBudget global)
    {
        if (caller.Key is { } key)
        {
            var settings = key.Settings;
            if (ReferenceEquals(counter, key.Spend))
                return new(CounterTable.Key, null, Max(settings.MaxBudgetNanos));
            if (accounts.TeamOf(settings) is { } team)
            {
                if (ReferenceEquals(counter, team.Spend))
                    return new(CounterTable.Team, team.Settings.TeamId, Max(team.Settings.MaxBudgetNanos));
                if (accounts.MemberOf(settings) is { } member && ReferenceEquals(counter, member.Spend))
                    return new(CounterTable.TeamMember, member.Id, Max(member.Settings.MaxBudgetNanos));
            }
            if (accounts.UserOf(settings) is { } user && ReferenceEquals(counter, user.Spend))
                return new(CounterTable.User, user.Settings.UserId, Max(user.Settings.MaxBudgetNanos));
        }
        return new(CounterTable.Global, null, Max(global.MaxBudgetNanos));
    }

    // A budget removed since the hold was taken (microseconds ago) no longer limits.
    private static long Max(long? nanos) => nanos ?? long.MaxValue;
}
