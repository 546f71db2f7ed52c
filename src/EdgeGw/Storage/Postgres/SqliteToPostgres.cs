using EdgeGw.Auth;
using EdgeGw.Spend;
using Npgsql;
using static EdgeGw.Storage.Postgres.LiteLlmValues;

namespace EdgeGw.Storage.Postgres;

/// <summary>What one <c>edgegw db copy</c> wrote; rows already in the target (an earlier copy) are counted as present, not copied.</summary>
internal sealed record CopyCounts(int Keys, int Teams, int Users, int Members, long SpendRows, long SpendRowsPresent)
{
    public ModelCopyCounts Models { get; init; } = new(0, 0, 0);
}

/// <summary>
/// <c>edgegw db copy</c>: an embedded database into LiteLLM's tables, through the same readers and
/// writers the gateway uses (SQLite's <see cref="AccountTables"/>, <see cref="LiteLlmAccounts"/>, <see cref="LiteLlmSpend"/>).
/// Safe to run again: accounts are upserted, spend totals are set (not added) to the SQLite ones,
/// and a spend row whose request id the target holds is skipped, so its amount and daily aggregates count once.
/// </summary>
internal static class SqliteToPostgres
{
    public const int BatchSize = 1000;

    public static async Task<CopyCounts> RunAsync(SqliteStore from, NpgsqlDataSource to, DatabaseUrl url, Action<string>? progress = null, int batchSize = BatchSize,
        CancellationToken cancel = default)
    {
        var accounts = new Accounts();
        AccountTables.LoadInto(from, accounts);
        TeamMemberTable.LoadInto(from, accounts);

        // Users and teams before the keys and memberships that name them.
        foreach (var user in accounts.Users.Values)
            await LiteLlmAccounts.UpsertUserAsync(to, user.Settings, cancel);
        foreach (var team in accounts.Teams.Values)
            await LiteLlmAccounts.UpsertTeamAsync(to, team.Settings, cancel);
        foreach (var key in accounts.Keys.Values)
            await LiteLlmAccounts.UpsertKeyAsync(to, key.Settings, cancel);
        foreach (var member in accounts.Members.Values)
            await LiteLlmAccounts.UpsertMemberAsync(to, member.Settings, cancel);
        progress?.Invoke($"accounts: {accounts.Keys.Count} keys, {accounts.Teams.Count} teams, {accounts.Users.Count} users, {accounts.Members.Count} team members");

        progress?.Invoke($"credentials: {await CredentialCopy.RunAsync(from, to, cancel)} stored credentials (values stay encrypted: keep the same LITELLM_SALT_KEY)");
        // Run-time models into LiteLLM_ProxyModelTable, still encrypted: LiteLLM and EdgeGw read them with the same salt key.
        var models = await ModelCopy.RunAsync(new SqliteModelStore(from), new PostgresModelStore(to, url), skipBlocked: false, cancel);
        progress?.Invoke("models: " + ModelCopy.Describe(models));

        var (copied, present) = await CopySpendRowsAsync(from, to, progress, batchSize, cancel);
        await SetTotalsAsync(to, accounts, cancel);
        return new CopyCounts(accounts.Keys.Count, accounts.Teams.Count, accounts.Users.Count, accounts.Members.Count, copied, present) { Models = models };
    }

    /// <summary>Spend rows in pages of <paramref name="batchSize"/>, one transaction each, with their daily aggregates.</summary>
    private static async Task<(long Copied, long Present)> CopySpendRowsAsync(SqliteStore from, NpgsqlDataSource to, Action<string>? progress, int batchSize,
        CancellationToken cancel)
    {
        var json = new SpendRowJson();
        LiteLlmDailySpend? daily = null;
        long copied = 0, present = 0, after = 0;
        await using var connection = await to.OpenConnectionAsync(cancel);
        // Bounded by the table's size: each page moves past the row ids it read.
        while (true)
        {
            var page = SpendQueries.Page(from, after, batchSize);
            if (page.Count == 0)
                break;
            after = page[^1].RowId;
            // LiteLLM keys its table by request id: a request id SQLite holds twice keeps its first row.
            var rows = page.Select(p => p.Row).DistinctBy(r => r.RequestId, StringComparer.Ordinal).ToList();
            await using var tx = await connection.BeginTransactionAsync(cancel);
            var stored = await StoredIdsAsync(connection, tx, rows, cancel);
            var fresh = rows.Where(r => !stored.Contains(r.RequestId)).ToList();
            LiteLlmSpend.InsertLogs(connection, tx, fresh, json, asStored: true);
            (daily ??= LiteLlmDailySpend.Discover(connection, tx)).Add(connection, tx, fresh, json, asStored: true);
            await tx.CommitAsync(cancel);
            copied += fresh.Count;
            present += page.Count - fresh.Count;
            progress?.Invoke($"spend rows: {copied} copied, {present} already present");
        }
        return (copied, present);
    }

    private static async Task<HashSet<string>> StoredIdsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, List<SpendRow> rows, CancellationToken cancel)
    {
        await using var command = new NpgsqlCommand("""SELECT request_id FROM "LiteLLM_SpendLogs" WHERE request_id = ANY(@ids)""", connection, tx);
        command.Add("ids", rows.Select(r => r.RequestId).ToArray());
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await using var r = await command.ExecuteReaderAsync(cancel);
        while (await r.ReadAsync(cancel))
            ids.Add(r.GetString(0));
        return ids;
    }

    /// <summary>Every counter's spend and window set to SQLite's, in one transaction: an admin's set, as the spend writer applies it.</summary>
    private static async Task SetTotalsAsync(NpgsqlDataSource to, Accounts accounts, CancellationToken cancel)
    {
        static CounterUpdate Set(CounterTable table, string id, SpendCounter c) =>
            new(table, id, new CounterState(c.Nanos, c.ResetAtMs, c.Sequence) { Change = CounterChange.Set, SetsSpend = true, SetsWindow = true });
        var updates = accounts.Keys.Select(k => Set(CounterTable.Key, k.Key.ToHex(), k.Value.Spend))
            .Concat(accounts.Teams.Select(t => Set(CounterTable.Team, t.Key, t.Value.Spend)))
            .Concat(accounts.Users.Select(u => Set(CounterTable.User, u.Key, u.Value.Spend)));
        await using var connection = await to.OpenConnectionAsync(cancel);
        await using var tx = await connection.BeginTransactionAsync(cancel);
        LiteLlmCounterChanges.Apply(connection, tx, updates);
        // The proxy's total lives in a user row that may not exist yet; a member's spend in a membership row likewise.
        await using (var global = new NpgsqlCommand("""
            INSERT INTO "LiteLLM_UserTable" (user_id, spend, models, teams, budget_reset_at) VALUES (@id, @spend, '{}', '{}', @reset)
            ON CONFLICT (user_id) DO UPDATE SET spend = excluded.spend, budget_reset_at = excluded.budget_reset_at
            """, connection, tx))
        {
            global.Add("id", LiteLlmAccounts.ProxyBudgetUser);
            global.Add("spend", Usd(accounts.Global.Nanos));
            global.Parameters.Add(new NpgsqlParameter("reset", NpgsqlTypes.NpgsqlDbType.Timestamp) { Value = ResetAt(accounts.Global.ResetAtMs) ?? (object)DBNull.Value });
            await global.ExecuteNonQueryAsync(cancel);
        }
        if (!accounts.Members.IsEmpty)
        {
            var members = accounts.Members.Values.ToArray();
            await using var command = new NpgsqlCommand("""
                INSERT INTO "LiteLLM_TeamMembership" (team_id, user_id, spend) SELECT * FROM unnest(@teams, @users, @spend)
                ON CONFLICT (user_id, team_id) DO UPDATE SET spend = excluded.spend
                """, connection, tx);
            command.Add("teams", members.Select(m => m.Settings.TeamId).ToArray());
            command.Add("users", members.Select(m => m.Settings.UserId).ToArray());
            command.Add("spend", members.Select(m => Usd(m.Spend.Nanos)).ToArray());
            await command.ExecuteNonQueryAsync(cancel);
        }
        await tx.CommitAsync(cancel);
    }

    private static DateTime? ResetAt(long ms) => ms == 0 ? null : Timestamp(DateTimeOffset.FromUnixTimeMilliseconds(ms));
}
