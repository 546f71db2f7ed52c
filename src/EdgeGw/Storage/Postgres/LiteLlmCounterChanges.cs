using EdgeGw.Spend;
using Npgsql;
using static EdgeGw.Storage.Postgres.LiteLlmValues;

namespace EdgeGw.Storage.Postgres;

/// <summary>
/// A batch's counter changes as replicas sharing one database must apply them: amounts are added
/// (<c>spend = spend + x</c>); a budget window that ended is reset by compare-and-set on
/// <c>budget_reset_at</c>, so when several replicas (or LiteLLM's own reset job) see the same window
/// end, only the first resets it; an admin's set writes its values. Within a batch a counter's
/// changes keep their order: amounts added before a reset or a set of the spend belong to what it
/// replaced, so only the amounts after the last one are added.
/// </summary>
internal static class LiteLlmCounterChanges
{
    public static void Apply(NpgsqlConnection connection, NpgsqlTransaction tx, IEnumerable<CounterUpdate> updates)
    {
        var amounts = new Dictionary<(CounterTable, string), long>();
        var barriers = new List<CounterUpdate>();
        foreach (var update in updates)
        {
            var key = (update.Table, update.Id);
            var state = update.State;
            switch (state.Change)
            {
                case CounterChange.Added:
                    amounts[key] = Money.Add(amounts.GetValueOrDefault(key), state.AddedNanos);
                    break;
                case CounterChange.Reset:
                    barriers.Add(update);
                    if (state.ResetFromMs != 0)
                        amounts.Remove(key);
                    break;
                default:
                    barriers.Add(update);
                    if (state.SetsSpend)
                        amounts.Remove(key);
                    break;
            }
        }
        foreach (var barrier in barriers)
            ApplyBarrier(connection, tx, barrier);
        LiteLlmSpend.AddSpend(connection, tx, amounts.Select(a => (a.Key.Item1, a.Key.Item2, a.Value)));
    }

    private static void ApplyBarrier(NpgsqlConnection connection, NpgsqlTransaction tx, CounterUpdate update)
    {
        // Team-member budgets reset in LiteLLM_BudgetTable, not here; the ledger sends them no window changes.
        if (update.Table == CounterTable.TeamMember)
            return;
        var (table, column) = update.Table switch
        {
            CounterTable.Key => ("LiteLLM_VerificationToken", "token"),
            CounterTable.Team => ("LiteLLM_TeamTable", "team_id"),
            _ => ("LiteLLM_UserTable", "user_id"),
        };
        var id = update.Table == CounterTable.Global ? LiteLlmAccounts.ProxyBudgetUser : update.Id;
        var state = update.State;
        var sql = state.Change switch
        {
            // The proxy's row may not exist before its first spend: created with the window.
            CounterChange.Reset when state.ResetFromMs == 0 && update.Table == CounterTable.Global => """
                INSERT INTO "LiteLLM_UserTable" AS t (user_id, spend, models, teams, budget_reset_at) VALUES (@id, 0, '{}', '{}', @next)
                ON CONFLICT (user_id) DO UPDATE SET budget_reset_at = excluded.budget_reset_at WHERE t.budget_reset_at IS NULL
                """,
            CounterChange.Reset when state.ResetFromMs == 0 => $"""
                UPDATE "{table}" SET budget_reset_at = @next WHERE {column} = @id AND budget_reset_at IS NULL
                """,
            CounterChange.Reset => $"""
                UPDATE "{table}" SET spend = 0, budget_reset_at = @next WHERE {column} = @id AND budget_reset_at = @from
                """,
            _ => $"""
                UPDATE "{table}" SET spend = CASE WHEN @sets_spend THEN @spend ELSE spend END,
                  budget_reset_at = CASE WHEN @sets_window THEN @next ELSE budget_reset_at END
                WHERE {column} = @id
                """,
        };
        using var command = new NpgsqlCommand(sql, connection, tx);
        command.Add("id", id);
        command.Parameters.Add(new NpgsqlParameter("next", NpgsqlTypes.NpgsqlDbType.Timestamp) { Value = ResetAt(state.ResetAtMs) ?? (object)DBNull.Value });
        if (state.Change == CounterChange.Reset && state.ResetFromMs != 0)
            command.Add("from", ResetAt(state.ResetFromMs));
        if (state.Change == CounterChange.Set)
        {
            command.Add("sets_spend", state.SetsSpend);
            command.Add("spend", Usd(state.Nanos));
            command.Add("sets_window", state.SetsWindow);
        }
        command.ExecuteNonQuery();
    }

    private static DateTime? ResetAt(long ms) => ms == 0 ? null : Timestamp(DateTimeOffset.FromUnixTimeMilliseconds(ms));
}
