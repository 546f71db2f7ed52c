using System.Text;
using EdgeGw.Auth;
using EdgeGw.Spend;

namespace EdgeGw.Observability;

/// <summary>
/// LiteLLM's budget gauges, read from the accounts at scrape time: remaining and maximum budget of
/// every key (by <c>hashed_api_key</c>, never the key), team and user. Without a maximum the
/// remaining budget is <c>+Inf</c>, as LiteLLM reports it.
/// </summary>
internal static class BudgetMetrics
{
    public static void Write(StringBuilder text, Accounts? accounts)
    {
        if (accounts is null)
            return;
        var keys = accounts.Keys.Values.Select(k => (Labels: $"hashed_api_key=\"{k.Settings.Token.ToHex()}\",api_key_alias=\"{CallerSeries.Escape(k.Settings.KeyAlias)}\"", Account: (Account<KeySettings>)k))
            .OrderBy(k => k.Labels, StringComparer.Ordinal).ToArray();
        var teams = accounts.Teams.Values.Select(t => (Labels: $"team=\"{CallerSeries.Escape(t.Settings.TeamId)}\",team_alias=\"{CallerSeries.Escape(t.Settings.TeamAlias)}\"", Account: t))
            .OrderBy(t => t.Labels, StringComparer.Ordinal).ToArray();
        var users = accounts.Users.Values.Select(u => (Labels: $"user=\"{CallerSeries.Escape(u.Settings.UserId)}\"", Account: u))
            .OrderBy(u => u.Labels, StringComparer.Ordinal).ToArray();

        Family(text, "litellm_remaining_api_key_budget_metric", "Remaining budget for api key", keys, Remaining);
        Family(text, "litellm_api_key_max_budget_metric", "Maximum budget set for api key", keys, Max);
        Family(text, "litellm_remaining_team_budget_metric", "Remaining budget for team", teams, Remaining);
        Family(text, "litellm_team_max_budget_metric", "Maximum budget set for team", teams, Max);
        Family(text, "litellm_remaining_user_budget_metric", "Remaining budget for user", users, Remaining);
        Family(text, "litellm_user_max_budget_metric", "Maximum budget set for user", users, Max);
    }

    private static double? Remaining<T>(Account<T> account) where T : AccountSettings =>
        account.Settings.MaxBudgetNanos is { } max ? (double)Money.ToDollars(max - account.Spend.Nanos) : double.PositiveInfinity;

    private static double? Max<T>(Account<T> account) where T : AccountSettings =>
        account.Settings.MaxBudgetNanos is { } max ? (double)Money.ToDollars(max) : null;

    private static void Family<T>(StringBuilder text, string name, string help, (string Labels, Account<T> Account)[] accounts, Func<Account<T>, double?> value)
        where T : AccountSettings
    {
        MetricsExposition.Header(text, name, "gauge", help);
        foreach (var (labels, account) in accounts)
        {
            if (value(account) is { } v)
                MetricsExposition.Sample(text, name, labels, v);
        }
    }
}
