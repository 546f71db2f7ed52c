using EdgeGw.Auth;
using EdgeGw.Spend;
using Npgsql;
using static EdgeGw.Storage.Postgres.LiteLlmValues;

namespace EdgeGw.Storage.Postgres;

/// <summary>
/// Every second, reads the spend columns of keys, teams, users, memberships and the proxy's budget row and
/// takes them into the cache (<see cref="SpendCounter.Observe"/>), so a budget spent through another
/// replica is seen here within the refresh plus that replica's write batch. One round trip of four
/// narrow scans; a failure is logged once and retried on the next tick (cached spend keeps counting).
/// </summary>
internal sealed partial class PostgresSpendRefresh : IAsyncDisposable
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(1);

    private const string Sql = $"""
        SELECT token, spend, budget_reset_at FROM "LiteLLM_VerificationToken";
        SELECT team_id, spend, budget_reset_at FROM "LiteLLM_TeamTable";
        SELECT user_id, spend, budget_reset_at FROM "LiteLLM_UserTable";
        SELECT team_id, user_id, spend FROM "LiteLLM_TeamMembership";
        """;

    private readonly NpgsqlDataSource _source;
    private readonly Accounts _accounts;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public PostgresSpendRefresh(NpgsqlDataSource source, Accounts accounts, ILogger logger)
    {
        _source = source;
        _accounts = accounts;
        _logger = logger;
        _loop = Api.InlineIo.Run(() => LoopAsync(_stop.Token));
    }

    private async Task LoopAsync(CancellationToken cancel)
    {
        var failing = false;
        while (!cancel.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Every, cancel);
                await RefreshAsync(_source, _accounts, cancel);
                failing = false;
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (!failing)
                    LogFailed(_logger, PostgresFailure.Reason(e));
                failing = true;
            }
        }
    }

    public static async Task RefreshAsync(NpgsqlDataSource source, Accounts accounts, CancellationToken cancel = default)
    {
        await using var command = source.CreateCommand(Sql);
        await using var r = await command.ExecuteReaderAsync(cancel);
        while (await r.ReadAsync(cancel))
        {
            if (TokenHash.TryParseHex(r.GetString(0), out var token) && accounts.Keys.TryGetValue(token, out var key))
                Observe(key.Spend, r);
        }
        await r.NextResultAsync(cancel);
        while (await r.ReadAsync(cancel))
        {
            if (accounts.Teams.TryGetValue(r.GetString(0), out var team))
                Observe(team.Spend, r);
        }
        await r.NextResultAsync(cancel);
        while (await r.ReadAsync(cancel))
        {
            var id = r.GetString(0);
            if (id == LiteLlmAccounts.ProxyBudgetUser)
                Observe(accounts.Global, r);
            else if (accounts.Users.TryGetValue(id, out var user))
                Observe(user.Spend, r);
        }
        await r.NextResultAsync(cancel);
        while (await r.ReadAsync(cancel))
        {
            // A member's budget window lives in LiteLLM_BudgetTable and is reset by this replica's own clock: spend only.
            if (accounts.Members.TryGetValue((r.GetString(0), r.GetString(1)), out var member))
                member.Spend.Observe(Nanos(r.GetDouble(2)), member.Spend.ResetAtMs);
        }
    }

    private static void Observe(SpendCounter counter, NpgsqlDataReader r) => counter.Observe(Nanos(r.GetDouble(1)), ResetMs(Stamp(r, 2)));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "database: reading other replicas' spend failed ({Reason}); cached spend keeps counting, retrying every second")]
    private static partial void LogFailed(ILogger logger, string reason);
}
