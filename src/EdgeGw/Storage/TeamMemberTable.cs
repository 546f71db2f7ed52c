using EdgeGw.Auth;
using EdgeGw.Spend;

namespace EdgeGw.Storage;

/// <summary>
/// Rows of <c>team_members</c>. The admin routes upsert and delete them; the spend columns belong
/// to the spend writer, as for keys, teams and users.
/// </summary>
internal static class TeamMemberTable
{
    private const string Columns = "member_id, team_id, user_id, role, max_budget, created_at, updated_at";

    public static void Upsert(SqliteStore store, TeamMemberSettings m) => store.Run(c =>
    {
        using var command = Sql.Command(c, $"""
            INSERT INTO team_members ({Columns}) VALUES (@member_id, @team_id, @user_id, @role, @max_budget, @created_at, @updated_at)
            ON CONFLICT (member_id) DO UPDATE SET role = excluded.role, max_budget = excluded.max_budget, updated_at = excluded.updated_at
            """);
        command.Add("@member_id", TeamMember.MemberId(m.TeamId, m.UserId));
        command.Add("@team_id", m.TeamId);
        command.Add("@user_id", m.UserId);
        command.Add("@role", m.Role);
        command.Add("@max_budget", m.MaxBudgetNanos);
        command.Add("@created_at", m.CreatedAt.ToUnixTimeMilliseconds());
        command.Add("@updated_at", m.UpdatedAt.ToUnixTimeMilliseconds());
        return command.ExecuteNonQuery();
    });

    public static int Delete(SqliteStore store, IReadOnlyCollection<(string TeamId, string UserId)> members) =>
        AccountTables.Delete(store, "team_members", "member_id", [.. members.Select(m => TeamMember.MemberId(m.TeamId, m.UserId))]);

    public static void LoadInto(SqliteStore store, Accounts accounts) => store.Run(c =>
    {
        using var command = Sql.Command(c, $"SELECT {Columns}, spend, budget_reset_at, spend_seq FROM team_members");
        using var r = command.ExecuteReader();
        while (r.Read())
        {
            var settings = new TeamMemberSettings
            {
                TeamId = r.GetString(1),
                UserId = r.GetString(2),
                Role = r.GetString(3),
                MaxBudgetNanos = r.LongOrNull(4),
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)),
                UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6)),
            };
            var spend = new SpendCounter(r.GetInt64(7), r.LongOrNull(8) ?? 0, r.GetInt64(9));
            accounts.Members[(settings.TeamId, settings.UserId)] = new TeamMember(settings, spend);
        }
        return 0;
    });
}
