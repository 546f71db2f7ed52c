using EdgeGw.Auth;
using EdgeGw.Spend;
using Microsoft.Data.Sqlite;

namespace EdgeGw.Storage;

/// <summary>
/// Rows of <c>keys</c>, <c>teams</c> and <c>users</c>. Settings are upserted by the admin routes;
/// the spend columns (<c>spend</c>, <c>budget_reset_at</c>, <c>spend_seq</c>) belong to the spend
/// writer and are never touched here.
/// </summary>
internal static class AccountTables
{
    private const string KeyColumns =
        "token, key_name, key_alias, team_id, user_id, models, max_budget, budget_duration, rpm_limit, tpm_limit, " +
        "max_parallel_requests, metadata, blocked, expires, created_at, updated_at";

    private const string TeamColumns =
        "team_id, team_alias, models, max_budget, budget_duration, rpm_limit, tpm_limit, max_parallel_requests, blocked, metadata, " +
        "created_at, updated_at";

    private const string UserColumns =
        "user_id, user_email, user_alias, models, max_budget, budget_duration, rpm_limit, tpm_limit, max_parallel_requests, metadata, " +
        "created_at, updated_at";

    public static void UpsertKey(SqliteStore store, KeySettings k) => store.Run(c => UpsertKey(c, null, k));

    private static int UpsertKey(SqliteConnection c, SqliteTransaction? tx, KeySettings k)
    {
        using var command = Sql.Command(c, $"""
            INSERT INTO keys ({KeyColumns}) VALUES (@token, @key_name, @key_alias, @team_id, @user_id, @models, @max_budget,
              @budget_duration, @rpm_limit, @tpm_limit, @max_parallel_requests, @metadata, @blocked, @expires, @created_at, @updated_at)
            ON CONFLICT (token) DO UPDATE SET key_name = excluded.key_name, key_alias = excluded.key_alias, team_id = excluded.team_id,
              user_id = excluded.user_id, models = excluded.models, max_budget = excluded.max_budget, budget_duration = excluded.budget_duration,
              rpm_limit = excluded.rpm_limit, tpm_limit = excluded.tpm_limit, max_parallel_requests = excluded.max_parallel_requests,
              metadata = excluded.metadata, blocked = excluded.blocked, expires = excluded.expires, updated_at = excluded.updated_at
            """, tx);
        command.Add("@token", k.Token.ToHex());
        command.Add("@key_name", k.KeyName);
        command.Add("@key_alias", k.KeyAlias);
        command.Add("@team_id", k.TeamId);
        command.Add("@user_id", k.UserId);
        command.Add("@blocked", k.Blocked ? 1 : 0);
        command.Add("@expires", Sql.Ms(k.Expires));
        AddCommon(command, k);
        return command.ExecuteNonQuery();
    }

    /// <summary>Moves a key's row to a new hash (regenerate), keeping its spend, and stores its new settings: both or neither.</summary>
    public static void RegenerateKey(SqliteStore store, TokenHash from, KeySettings to) => store.InTransaction((c, tx) =>
    {
        using (var command = Sql.Command(c, "UPDATE keys SET token = @to, key_name = @name, updated_at = @now WHERE token = @from", tx))
        {
            command.Add("@to", to.Token.ToHex());
            command.Add("@name", to.KeyName);
            command.Add("@now", to.UpdatedAt.ToUnixTimeMilliseconds());
            command.Add("@from", from.ToHex());
            command.ExecuteNonQuery();
        }
        UpsertKey(c, tx, to);
    });

    public static void UpsertTeam(SqliteStore store, TeamSettings t) => store.Run(c =>
    {
        using var command = Sql.Command(c, $"""
            INSERT INTO teams ({TeamColumns}) VALUES (@team_id, @team_alias, @models, @max_budget, @budget_duration, @rpm_limit,
              @tpm_limit, @max_parallel_requests, @blocked, @metadata, @created_at, @updated_at)
            ON CONFLICT (team_id) DO UPDATE SET team_alias = excluded.team_alias, models = excluded.models, max_budget = excluded.max_budget,
              budget_duration = excluded.budget_duration, rpm_limit = excluded.rpm_limit, tpm_limit = excluded.tpm_limit,
              max_parallel_requests = excluded.max_parallel_requests, blocked = excluded.blocked, metadata = excluded.metadata,
              updated_at = excluded.updated_at
            """);
        command.Add("@team_id", t.TeamId);
        command.Add("@team_alias", t.TeamAlias);
        command.Add("@blocked", t.Blocked ? 1 : 0);
        AddCommon(command, t);
        return command.ExecuteNonQuery();
    });

    public static void UpsertUser(SqliteStore store, UserSettings u) => store.Run(c =>
    {
        using var command = Sql.Command(c, $"""
            INSERT INTO users ({UserColumns}) VALUES (@user_id, @user_email, @user_alias, @models, @max_budget, @budget_duration,
              @rpm_limit, @tpm_limit, @max_parallel_requests, @metadata, @created_at, @updated_at)
            ON CONFLICT (user_id) DO UPDATE SET user_email = excluded.user_email, user_alias = excluded.user_alias, models = excluded.models,
              max_budget = excluded.max_budget, budget_duration = excluded.budget_duration, rpm_limit = excluded.rpm_limit,
              tpm_limit = excluded.tpm_limit, max_parallel_requests = excluded.max_parallel_requests, metadata = excluded.metadata,
              updated_at = excluded.updated_at
            """);
        command.Add("@user_id", u.UserId);
        command.Add("@user_email", u.UserEmail);
        command.Add("@user_alias", u.UserAlias);
        AddCommon(command, u);
        return command.ExecuteNonQuery();
    });

    private static void AddCommon(SqliteCommand command, AccountSettings a)
    {
        command.Add("@models", StringList.Encode(a.Models));
        command.Add("@max_budget", a.MaxBudgetNanos);
        command.Add("@budget_duration", a.BudgetDuration?.Text);
        command.Add("@rpm_limit", a.RpmLimit);
        command.Add("@tpm_limit", a.TpmLimit);
        command.Add("@max_parallel_requests", a.MaxParallelRequests);
        command.Add("@metadata", a.MetadataJson);
        command.Add("@created_at", a.CreatedAt.ToUnixTimeMilliseconds());
        command.Add("@updated_at", a.UpdatedAt.ToUnixTimeMilliseconds());
    }

    public static int Delete(SqliteStore store, string table, string column, IReadOnlyCollection<string> ids) => ids.Count == 0 ? 0 : store.Run(c =>
    {
        using var tx = c.BeginTransaction();
        using var command = Sql.Command(c, $"DELETE FROM {table} WHERE {column} = @id", tx);
        var parameter = command.Parameters.Add("@id", SqliteType.Text);
        var deleted = 0;
        foreach (var id in ids)
        {
            parameter.Value = id;
            deleted += command.ExecuteNonQuery();
        }
        tx.Commit();
        return deleted;
    });

    /// <summary>Fills the cache from the database at start.</summary>
    public static void LoadInto(SqliteStore store, Accounts accounts) => store.Run(c =>
    {
        using (var command = Sql.Command(c, $"SELECT {KeyColumns}, spend, budget_reset_at, spend_seq FROM keys"))
        using (var r = command.ExecuteReader())
        {
            while (r.Read())
            {
                TokenHash.TryParseHex(r.GetString(0), out var token);
                var settings = new KeySettings
                {
                    Token = token,
                    KeyName = r.GetString(1),
                    KeyAlias = r.StringOrNull(2),
                    TeamId = r.StringOrNull(3),
                    UserId = r.StringOrNull(4),
                    Models = StringList.Decode(r.GetString(5)),
                    MaxBudgetNanos = r.LongOrNull(6),
                    BudgetDuration = Duration(r.StringOrNull(7)),
                    RpmLimit = r.IntOrNull(8),
                    TpmLimit = r.IntOrNull(9),
                    MaxParallelRequests = r.IntOrNull(10),
                    MetadataJson = r.GetString(11),
                    Blocked = r.GetInt64(12) != 0,
                    Expires = Sql.Time(r.LongOrNull(13)),
                    CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(14)),
                    UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(15)),
                };
                accounts.Keys[token] = new KeyAccount(settings, Counter(r, 16));
            }
        }
        using (var command = Sql.Command(c, $"SELECT {TeamColumns}, spend, budget_reset_at, spend_seq FROM teams"))
        using (var r = command.ExecuteReader())
        {
            while (r.Read())
            {
                var settings = new TeamSettings
                {
                    TeamId = r.GetString(0),
                    TeamAlias = r.StringOrNull(1),
                    Models = StringList.Decode(r.GetString(2)),
                    MaxBudgetNanos = r.LongOrNull(3),
                    BudgetDuration = Duration(r.StringOrNull(4)),
                    RpmLimit = r.IntOrNull(5),
                    TpmLimit = r.IntOrNull(6),
                    MaxParallelRequests = r.IntOrNull(7),
                    Blocked = r.GetInt64(8) != 0,
                    MetadataJson = r.GetString(9),
                    CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(10)),
                    UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(11)),
                };
                accounts.Teams[settings.TeamId] = new Account<TeamSettings>(settings, Counter(r, 12));
            }
        }
        using (var command = Sql.Command(c, $"SELECT {UserColumns}, spend, budget_reset_at, spend_seq FROM users"))
        using (var r = command.ExecuteReader())
        {
            while (r.Read())
            {
                var settings = new UserSettings
                {
                    UserId = r.GetString(0),
                    UserEmail = r.StringOrNull(1),
                    UserAlias = r.StringOrNull(2),
                    Models = StringList.Decode(r.GetString(3)),
                    MaxBudgetNanos = r.LongOrNull(4),
                    BudgetDuration = Duration(r.StringOrNull(5)),
                    RpmLimit = r.IntOrNull(6),
                    TpmLimit = r.IntOrNull(7),
                    MaxParallelRequests = r.IntOrNull(8),
                    MetadataJson = r.GetString(9),
                    CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(10)),
                    UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(11)),
                };
                accounts.Users[settings.UserId] = new Account<UserSettings>(settings, Counter(r, 12));
            }
        }
        using (var command = Sql.Command(c, "SELECT spend, budget_reset_at, spend_seq FROM global_spend WHERE id = 1"))
        using (var r = command.ExecuteReader())
        {
            if (r.Read())
                accounts.Global = Counter(r, 0);
        }
        return 0;
    });

    private static SpendCounter Counter(SqliteDataReader r, int first) =>
        new(r.GetInt64(first), r.LongOrNull(first + 1) ?? 0, r.GetInt64(first + 2));

    private static BudgetDuration? Duration(string? text) => BudgetDuration.TryParse(text, out var d) ? d : null;
}
