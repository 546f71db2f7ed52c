using EdgeGw.Auth;
using EdgeGw.Spend;
using EdgeGw.Storage;

namespace EdgeGw.Api.Admin;

/// <summary>
/// An admin change to a counter: a new (or changed) <c>budget_duration</c> starts a window now;
/// <c>spend</c> sets the spend. The new state goes through the spend writer like any other.
/// </summary>
internal static class CounterChanges
{
    /// <param name="shared">With Redis: a set spend replaces the shared copy too, so every replica admits on it at once.</param>
    public static async ValueTask PersistAsync<T>(GatewayData data, Account<T> account, BudgetDuration? duration, bool durationChanged, decimal? spend, DateTimeOffset now,
        Shared.SharedLimits? shared)
        where T : AccountSettings
    {
        if (spend is null && !durationChanged)
            return;
        var counterState = account.Spend.Set(spend is { } s ? Money.ToNanos(s) : null, duration, durationChanged, now, data.Ledger.Clock);
        var (table, id) = account.Settings switch
        {
            TeamSettings t => (CounterTable.Team, t.TeamId),
            UserSettings u => (CounterTable.User, u.UserId),
            KeySettings k => (CounterTable.Key, k.Token.ToHex()),
            _ => throw new InvalidOperationException("unknown account"),
        };
        if (spend is not null)
            shared?.SetSpend(account.Limits.Id, counterState.ResetAtMs, counterState.Nanos);
        await data.Writer.EnqueueAsync(new SpendWork { Counters = [new CounterUpdate(table, id, counterState)] });
        if (spend is not null && data.AccountChanges is { } changes)
        {
            var accountTable = table switch { CounterTable.Key => AccountTable.Key, CounterTable.Team => AccountTable.Team, _ => AccountTable.User };
            await changes.PublishAsync([new AccountChange(accountTable, id) { SpendSetNanos = counterState.Nanos }]);
        }
    }

}
