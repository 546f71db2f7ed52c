using System.Text.Json;
using EdgeGw.Auth;
using EdgeGw.Spend;
using Npgsql;
using static EdgeGw.Storage.Postgres.LiteLlmValues;

namespace EdgeGw.Storage.Postgres;

/// <summary>
/// Keys, teams, users and team memberships in LiteLLM's tables, mapped once both ways:
/// <list type="table">
/// <item><c>LiteLLM_VerificationToken</c>: <c>token</c> = sha256 hex of the key; <c>spend</c>, <c>max_budget</c> USD;
/// a key linked to a budget (<c>budget_id</c>, LiteLLM's budget tiers) takes the budget's max_budget, duration and
/// limits where its own are unset; <c>blocked</c> NULL = not blocked.</item>
/// <item><c>LiteLLM_TeamTable</c>: members and their roles in <c>members_with_roles</c> (a JSON list of
/// <c>{"role","user_id","user_email"}</c>).</item>
/// <item><c>LiteLLM_TeamMembership</c>: a member's spend in the team, and through <c>budget_id</c> →
/// <c>LiteLLM_BudgetTable.max_budget</c> their <c>max_budget_in_team</c>.</item>
/// <item><c>LiteLLM_UserTable</c>: the row <c>litellm-proxy-budget</c> is the whole proxy's spend (LiteLLM's
/// global budget), not a user.</item>
/// </list>
/// Spend columns are read here and never written: spend moves by increments elsewhere.
/// </summary>
internal static class LiteLlmAccounts
{
    /// <summary>LiteLLM's <c>litellm_proxy_budget_name</c>: the user row that carries the proxy's total spend.</summary>
    public const string ProxyBudgetUser = "litellm-proxy-budget";

    private const string KeySelect = """
        SELECT k.token, k.key_name, k.key_alias, k.team_id, k.user_id, k.models,
          COALESCE(k.max_budget, b.max_budget), COALESCE(k.budget_duration, b.budget_duration),
          COALESCE(k.rpm_limit, b.rpm_limit), COALESCE(k.tpm_limit, b.tpm_limit),
          COALESCE(k.max_parallel_requests, b.max_parallel_requests),
          k.metadata::text, k.blocked, k.expires, k.created_at, k.updated_at, k.spend, k.budget_reset_at
        FROM "LiteLLM_VerificationToken" k LEFT JOIN "LiteLLM_BudgetTable" b ON b.budget_id = k.budget_id
        """;

    private const string TeamSelect = """
        SELECT team_id, team_alias, models, max_budget, budget_duration, rpm_limit, tpm_limit, max_parallel_requests,
          blocked, metadata::text, created_at, updated_at, spend, budget_reset_at, members_with_roles::text
        FROM "LiteLLM_TeamTable"
        """;

    private const string UserSelect = """
        SELECT user_id, user_email, user_alias, models, max_budget, budget_duration, rpm_limit, tpm_limit,
          max_parallel_requests, metadata::text, created_at, updated_at, spend, budget_reset_at
        FROM "LiteLLM_UserTable"
        """;

    private const string MembershipSelect = """
        SELECT m.team_id, m.user_id, m.spend, b.max_budget, b.budget_reset_at
        FROM "LiteLLM_TeamMembership" m LEFT JOIN "LiteLLM_BudgetTable" b ON b.budget_id = m.budget_id
        """;

    /// <summary>
    /// Fills the cache from LiteLLM's tables, or with <paramref name="only"/> just that key, user, or team with
    /// its members; returns the keys skipped because their token is not a sha256 hex.
    /// </summary>
    public static async Task<int> LoadIntoAsync(NpgsqlDataSource source, Accounts accounts, AccountChange? only = null, CancellationToken cancel = default)
    {
        await using var connection = await source.OpenConnectionAsync(cancel);
        var skipped = 0;
        await using (var command = Select(connection, KeySelect, "k.token", only, AccountTable.Key))
        await using (var r = await command.ExecuteReaderAsync(cancel))
        {
            while (await r.ReadAsync(cancel))
            {
                if (!TokenHash.TryParseHex(r.GetString(0), out var token))
                {
                    skipped++;
                    continue;
                }
                var settings = new KeySettings
                {
                    Token = token,
                    KeyName = Text(r, 1) ?? "",
                    KeyAlias = Text(r, 2),
                    TeamId = Text(r, 3),
                    UserId = Text(r, 4),
                    Models = List(r, 5),
                    MaxBudgetNanos = Nanos(Double(r, 6)),
                    BudgetDuration = Duration(Text(r, 7)),
                    RpmLimit = Limit(Long(r, 8)),
                    TpmLimit = Limit(Long(r, 9)),
                    MaxParallelRequests = r.IsDBNull(10) ? null : r.GetInt32(10),
                    MetadataJson = JsonText(r, 11, "{}"),
                    Blocked = Flag(r, 12),
                    Expires = Time(Stamp(r, 13)),
                    CreatedAt = Time(Stamp(r, 14)) ?? DateTimeOffset.UnixEpoch,
                    UpdatedAt = Time(Stamp(r, 15)) ?? DateTimeOffset.UnixEpoch,
                };
                accounts.Keys[token] = new KeyAccount(settings, Counter(r, 16));
            }
        }

        var roles = new List<(string Team, string User, string Role)>();
        await using (var command = Select(connection, TeamSelect, "team_id", only, AccountTable.Team))
        await using (var r = await command.ExecuteReaderAsync(cancel))
        {
            while (await r.ReadAsync(cancel))
            {
                var settings = new TeamSettings
                {
                    TeamId = r.GetString(0),
                    TeamAlias = Text(r, 1),
                    Models = List(r, 2),
                    MaxBudgetNanos = Nanos(Double(r, 3)),
                    BudgetDuration = Duration(Text(r, 4)),
                    RpmLimit = Limit(Long(r, 5)),
                    TpmLimit = Limit(Long(r, 6)),
                    MaxParallelRequests = r.IsDBNull(7) ? null : r.GetInt32(7),
                    Blocked = Flag(r, 8),
                    MetadataJson = JsonText(r, 9, "{}"),
                    CreatedAt = Time(r.GetDateTime(10)),
                    UpdatedAt = Time(r.GetDateTime(11)),
                };
                accounts.Teams[settings.TeamId] = new Account<TeamSettings>(settings, Counter(r, 12));
                foreach (var (user, role) in MembersWithRoles(JsonText(r, 14, "[]")))
                    roles.Add((settings.TeamId, user, role));
            }
        }

        await using (var command = Select(connection, UserSelect, "user_id", only, AccountTable.User))
        await using (var r = await command.ExecuteReaderAsync(cancel))
        {
            while (await r.ReadAsync(cancel))
            {
                var userId = r.GetString(0);
                if (userId == ProxyBudgetUser)
                {
                    accounts.Global = Counter(r, 12);
                    continue;
                }
                var settings = new UserSettings
                {
                    UserId = userId,
                    UserEmail = Text(r, 1),
                    UserAlias = Text(r, 2),
                    Models = List(r, 3),
                    MaxBudgetNanos = Nanos(Double(r, 4)),
                    BudgetDuration = Duration(Text(r, 5)),
                    RpmLimit = Limit(Long(r, 6)),
                    TpmLimit = Limit(Long(r, 7)),
                    MaxParallelRequests = r.IsDBNull(8) ? null : r.GetInt32(8),
                    MetadataJson = JsonText(r, 9, "{}"),
                    CreatedAt = Time(Stamp(r, 10)) ?? DateTimeOffset.UnixEpoch,
                    UpdatedAt = Time(Stamp(r, 11)) ?? DateTimeOffset.UnixEpoch,
                };
                accounts.Users[userId] = new Account<UserSettings>(settings, Counter(r, 12));
            }
        }

        // A member is listed in the team's members_with_roles; a membership row adds spend and a budget (or, alone, a member with role user).
        var members = new Dictionary<(string, string), TeamMemberSettings>();
        foreach (var (team, user, role) in roles)
            members[(team, user)] = new TeamMemberSettings { TeamId = team, UserId = user, Role = role };
        var spends = new Dictionary<(string, string), SpendCounter>();
        await using (var command = Select(connection, MembershipSelect, "m.team_id", only, AccountTable.Team))
        await using (var r = await command.ExecuteReaderAsync(cancel))
        {
            while (await r.ReadAsync(cancel))
            {
                var id = (r.GetString(0), r.GetString(1));
                var known = members.GetValueOrDefault(id) ?? new TeamMemberSettings { TeamId = id.Item1, UserId = id.Item2 };
                members[id] = known with { MaxBudgetNanos = Nanos(Double(r, 3)) };
                spends[id] = new SpendCounter(Nanos(r.GetDouble(2)), ResetMs(Stamp(r, 4)));
            }
        }
        foreach (var (id, settings) in members)
            accounts.Members[id] = new TeamMember(settings, spends.GetValueOrDefault(id) ?? new SpendCounter());
        return skipped;
    }

    // A partial load reads only its own table's rows; the others' selects match nothing.
    private static NpgsqlCommand Select(NpgsqlConnection connection, string select, string idColumn, AccountChange? only, AccountTable table)
    {
        if (only is not { } change)
            return new NpgsqlCommand(select, connection);
        var command = new NpgsqlCommand(change.Table == table ? $"{select} WHERE {idColumn} = @id" : $"{select} WHERE false", connection);
        command.Add("id", change.Id);
        return command;
    }

    private const string KeyUpsert = """
        INSERT INTO "LiteLLM_VerificationToken" (token, key_name, key_alias, team_id, user_id, models, max_budget, budget_duration,
          rpm_limit, tpm_limit, max_parallel_requests, metadata, blocked, expires, created_at, updated_at)
        VALUES (@token, @key_name, @key_alias, @team_id, @user_id, @models, @max_budget, @budget_duration,
          @rpm_limit, @tpm_limit, @max_parallel_requests, @metadata::jsonb, @blocked, @expires, @created_at, @updated_at)
        ON CONFLICT (token) DO UPDATE SET key_name = excluded.key_name, key_alias = excluded.key_alias, team_id = excluded.team_id,
          user_id = excluded.user_id, models = excluded.models, max_budget = excluded.max_budget, budget_duration = excluded.budget_duration,
          rpm_limit = excluded.rpm_limit, tpm_limit = excluded.tpm_limit, max_parallel_requests = excluded.max_parallel_requests,
          metadata = excluded.metadata, blocked = excluded.blocked, expires = excluded.expires, updated_at = excluded.updated_at
        """;

    /// <summary>Creates or updates a key as LiteLLM's <c>/key/generate</c> and <c>/key/update</c> write it.</summary>
    public static async Task UpsertKeyAsync(NpgsqlDataSource source, KeySettings k, CancellationToken cancel = default)
    {
        await using var command = source.CreateCommand(KeyUpsert);
        AddKey(command, k);
        await command.ExecuteNonQueryAsync(cancel);
    }

    /// <summary>
    /// <c>/key/regenerate</c>: moves a key's row to a new token, keeping its spend and everything else LiteLLM
    /// stored, and writes its new settings, in one transaction. Returns the rows moved (0: the old token was gone).
    /// </summary>
    public static async Task<int> RegenerateKeyAsync(NpgsqlDataSource source, TokenHash from, KeySettings to, CancellationToken cancel = default)
    {
        await using var connection = await source.OpenConnectionAsync(cancel);
        await using var tx = await connection.BeginTransactionAsync(cancel);
        int moved;
        await using (var rename = new NpgsqlCommand("""
            UPDATE "LiteLLM_VerificationToken" SET token = @to, key_name = @key_name, updated_at = @updated_at WHERE token = @from
            """, connection, tx))
        {
            rename.Add("to", to.Token.ToHex());
            rename.Add("key_name", to.KeyName);
            rename.Add("updated_at", Timestamp(to.UpdatedAt));
            rename.Add("from", from.ToHex());
            moved = await rename.ExecuteNonQueryAsync(cancel);
        }
        await using (var upsert = new NpgsqlCommand(KeyUpsert, connection, tx))
        {
            AddKey(upsert, to);
            await upsert.ExecuteNonQueryAsync(cancel);
        }
        await tx.CommitAsync(cancel);
        return moved;
    }

    private static void AddKey(NpgsqlCommand command, KeySettings k)
    {
        command.Add("token", k.Token.ToHex());
        command.Add("key_name", k.KeyName);
        command.Add("key_alias", k.KeyAlias);
        command.Add("team_id", k.TeamId);
        command.Add("user_id", k.UserId);
        command.Add("blocked", k.Blocked);
        command.Add("expires", Timestamp(k.Expires));
        AddCommon(command, k);
    }

    /// <summary>
    /// Creates or updates a team as LiteLLM's <c>/team/new</c> and <c>/team/update</c> write it. A new team
    /// starts with empty member lists (LiteLLM reads <c>members_with_roles</c> as a list, not Prisma's <c>{}</c>).
    /// </summary>
    public static async Task UpsertTeamAsync(NpgsqlDataSource source, TeamSettings t, CancellationToken cancel = default)
    {
        await using var command = source.CreateCommand("""
            INSERT INTO "LiteLLM_TeamTable" (team_id, team_alias, models, max_budget, budget_duration, rpm_limit, tpm_limit,
              max_parallel_requests, blocked, metadata, created_at, updated_at, admins, members, members_with_roles)
            VALUES (@team_id, @team_alias, @models, @max_budget, @budget_duration, @rpm_limit, @tpm_limit,
              @max_parallel_requests, @blocked, @metadata::jsonb, @created_at, @updated_at, '{}', '{}', '[]')
            ON CONFLICT (team_id) DO UPDATE SET team_alias = excluded.team_alias, models = excluded.models, max_budget = excluded.max_budget,
              budget_duration = excluded.budget_duration, rpm_limit = excluded.rpm_limit, tpm_limit = excluded.tpm_limit,
              max_parallel_requests = excluded.max_parallel_requests, blocked = excluded.blocked, metadata = excluded.metadata,
              updated_at = excluded.updated_at
            """);
        command.Add("team_id", t.TeamId);
        command.Add("team_alias", t.TeamAlias);
        command.Add("blocked", t.Blocked);
        AddCommon(command, t);
        await command.ExecuteNonQueryAsync(cancel);
    }

    /// <summary>Creates or updates a user as LiteLLM's <c>/user/new</c> and <c>/user/update</c> write it.</summary>
    public static async Task UpsertUserAsync(NpgsqlDataSource source, UserSettings u, CancellationToken cancel = default)
    {
        await using var command = source.CreateCommand("""
            INSERT INTO "LiteLLM_UserTable" (user_id, user_email, user_alias, models, max_budget, budget_duration, rpm_limit, tpm_limit,
              max_parallel_requests, metadata, created_at, updated_at, teams, user_role)
            VALUES (@user_id, @user_email, @user_alias, @models, @max_budget, @budget_duration, @rpm_limit, @tpm_limit,
              @max_parallel_requests, @metadata::jsonb, @created_at, @updated_at, '{}', 'internal_user')
            ON CONFLICT (user_id) DO UPDATE SET user_email = excluded.user_email, user_alias = excluded.user_alias, models = excluded.models,
              max_budget = excluded.max_budget, budget_duration = excluded.budget_duration, rpm_limit = excluded.rpm_limit,
              tpm_limit = excluded.tpm_limit, max_parallel_requests = excluded.max_parallel_requests, metadata = excluded.metadata,
              updated_at = excluded.updated_at
            """);
        command.Add("user_id", u.UserId);
        command.Add("user_email", u.UserEmail);
        command.Add("user_alias", u.UserAlias);
        AddCommon(command, u);
        await command.ExecuteNonQueryAsync(cancel);
    }

    /// <summary>
    /// Adds a member to a team or changes their role and budget, as LiteLLM's <c>/team/member_add</c> and
    /// <c>/team/member_update</c> do: the role in the team's <c>members_with_roles</c> (changed in place, other
    /// entries untouched), the team in the user's <c>teams</c>, and <c>max_budget_in_team</c> in a budget row
    /// linked from <c>LiteLLM_TeamMembership</c> (created when the member first gets a budget).
    /// </summary>
    public static async Task UpsertMemberAsync(NpgsqlDataSource source, TeamMemberSettings m, CancellationToken cancel = default)
    {
        await using var connection = await source.OpenConnectionAsync(cancel);
        await using var tx = await connection.BeginTransactionAsync(cancel);
        await Execute(connection, tx, """
            WITH cur AS (
              SELECT CASE WHEN jsonb_typeof(members_with_roles) = 'array' THEN members_with_roles ELSE '[]'::jsonb END AS list
              FROM "LiteLLM_TeamTable" WHERE team_id = @team FOR UPDATE)
            UPDATE "LiteLLM_TeamTable" SET members_with_roles = CASE
              WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(cur.list) e WHERE e->>'user_id' = @user)
              THEN (SELECT jsonb_agg(CASE WHEN e->>'user_id' = @user THEN jsonb_set(e, '{role}', to_jsonb(@role::text)) ELSE e END ORDER BY i)
                    FROM jsonb_array_elements(cur.list) WITH ORDINALITY AS x(e, i))
              ELSE cur.list || jsonb_build_array(jsonb_build_object('role', @role::text, 'user_id', @user::text, 'user_email', NULL))
            END, updated_at = @updated_at
            FROM cur WHERE team_id = @team;
            UPDATE "LiteLLM_UserTable" SET teams = array_append(COALESCE(teams, '{}'), @team)
            WHERE user_id = @user AND NOT (@team = ANY(COALESCE(teams, '{}')));
            """, m, cancel);
        var updated = await Execute(connection, tx, """
            UPDATE "LiteLLM_BudgetTable" SET max_budget = @max_budget, updated_at = @updated_at
            WHERE budget_id = (SELECT budget_id FROM "LiteLLM_TeamMembership" WHERE team_id = @team AND user_id = @user)
            """, m, cancel);
        if (updated == 0 && m.MaxBudgetNanos is not null)
        {
            // LiteLLM's admin name when no user made the change: created_by and updated_by are required.
            await Execute(connection, tx, """
                WITH b AS (INSERT INTO "LiteLLM_BudgetTable" (budget_id, max_budget, created_at, created_by, updated_at, updated_by)
                           VALUES (gen_random_uuid()::text, @max_budget, @updated_at, 'default_user_id', @updated_at, 'default_user_id')
                           RETURNING budget_id)
                INSERT INTO "LiteLLM_TeamMembership" (user_id, team_id, budget_id) SELECT @user, @team, budget_id FROM b
                ON CONFLICT (user_id, team_id) DO UPDATE SET budget_id = excluded.budget_id
                """, m, cancel);
        }
        await tx.CommitAsync(cancel);
    }

    /// <summary>Removes members as LiteLLM's <c>/team/member_delete</c>: from the team's list, the user's teams, and the membership table.</summary>
    public static async Task DeleteMembersAsync(NpgsqlDataSource source, IReadOnlyCollection<(string TeamId, string UserId)> members, CancellationToken cancel = default)
    {
        if (members.Count == 0)
            return;
        await using var connection = await source.OpenConnectionAsync(cancel);
        await using var tx = await connection.BeginTransactionAsync(cancel);
        foreach (var (team, user) in members)
        {
            await using var command = new NpgsqlCommand("""
                UPDATE "LiteLLM_TeamTable" SET members_with_roles = COALESCE(
                  (SELECT jsonb_agg(e ORDER BY i) FROM jsonb_array_elements(members_with_roles) WITH ORDINALITY AS x(e, i)
                   WHERE e->>'user_id' IS DISTINCT FROM @user), '[]'::jsonb)
                WHERE team_id = @team AND jsonb_typeof(members_with_roles) = 'array';
                UPDATE "LiteLLM_UserTable" SET teams = array_remove(teams, @team) WHERE user_id = @user;
                DELETE FROM "LiteLLM_TeamMembership" WHERE team_id = @team AND user_id = @user;
                """, connection, tx);
            command.Add("team", team);
            command.Add("user", user);
            await command.ExecuteNonQueryAsync(cancel);
        }
        await tx.CommitAsync(cancel);
    }

    private static async Task<int> Execute(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, TeamMemberSettings m, CancellationToken cancel)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        command.Add("team", m.TeamId);
        command.Add("user", m.UserId);
        command.Add("role", m.Role);
        command.Add("max_budget", Usd(m.MaxBudgetNanos));
        command.Add("updated_at", Timestamp(m.UpdatedAt));
        return await command.ExecuteNonQueryAsync(cancel);
    }

    private static void AddCommon(NpgsqlCommand command, AccountSettings a)
    {
        command.Add("models", a.Models.IsDefault ? Array.Empty<string>() : a.Models.ToArray());
        command.Add("max_budget", Usd(a.MaxBudgetNanos));
        command.Add("budget_duration", a.BudgetDuration?.Text);
        command.Add("rpm_limit", (long?)a.RpmLimit);
        command.Add("tpm_limit", (long?)a.TpmLimit);
        command.Add("max_parallel_requests", a.MaxParallelRequests);
        command.Add("metadata", a.MetadataJson);
        command.Add("created_at", Timestamp(a.CreatedAt));
        command.Add("updated_at", Timestamp(a.UpdatedAt));
    }

    /// <summary>Deletes keys (by token hex), teams or users by id; returns how many rows went.</summary>
    public static async Task<int> DeleteAsync(NpgsqlDataSource source, AccountTable table, IReadOnlyCollection<string> ids, CancellationToken cancel = default)
    {
        if (ids.Count == 0)
            return 0;
        var (name, column) = table switch
        {
            AccountTable.Key => ("LiteLLM_VerificationToken", "token"),
            AccountTable.Team => ("LiteLLM_TeamTable", "team_id"),
            AccountTable.User => ("LiteLLM_UserTable", "user_id"),
            _ => throw new ArgumentOutOfRangeException(nameof(table), table, "not an account table"),
        };
        await using var command = source.CreateCommand($"""DELETE FROM "{name}" WHERE {column} = ANY(@ids)""");
        command.Add("ids", ids.ToArray());
        return await command.ExecuteNonQueryAsync(cancel);
    }

    private static SpendCounter Counter(NpgsqlDataReader r, int first) =>
        new(Nanos(r.GetDouble(first)), ResetMs(Stamp(r, first + 1)));

    private static BudgetDuration? Duration(string? text) => BudgetDuration.TryParse(text, out var d) ? d : null;

    // LiteLLM writes a list; Prisma's column default is {} (no members). Entries without a user_id (email-only invites) are not members yet.
    private static List<(string User, string Role)> MembersWithRoles(string json)
    {
        var members = new List<(string, string)>();
        using var doc = JsonDocument.Parse(json);
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
            return members;
        foreach (var item in doc.RootElement.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("user_id", out var user) || user.ValueKind != JsonValueKind.String)
                continue;
            var role = item.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : "user";
            members.Add((user.GetString()!, role));
        }
        return members;
    }
}
