using System.Text.Json;
using EdgeGw.Auth;
using EdgeGw.Spend;
using EdgeGw.Storage;
using EdgeGw.Json;

namespace EdgeGw.Api.Admin;

/// <summary>
/// <c>/team/member_add</c>, <c>/team/member_update</c>, <c>/team/member_delete</c>: who is in a team
/// and, with <c>max_budget_in_team</c>, how much each may spend through the team's keys.
/// </summary>
internal static class TeamMemberEndpoints
{
    public static Task AddAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: true, async (input, data) =>
        {
            var team = Team(data, input);
            var entries = input.Objects("member") ?? throw new AdminInputException("member", "member is required ({\"role\": \"user\", \"user_id\": \"...\"} or a list of them)");
            var budget = Budget(input);
            var now = data.Time.GetUtcNow();
            var added = new List<TeamMember>();
            foreach (var entry in entries)
            {
                var role = Text(entry, "role") ?? "user";
                if (role is not ("user" or "admin"))
                    throw new AdminInputException("member", $"Invalid member: role must be 'user' or 'admin', got '{role}'");
                var user = await UserForAsync(data, Text(entry, "user_id"), Text(entry, "user_email"), create: true, now);
                var key = (team.TeamId, user.UserId);
                if (data.Accounts.Members.ContainsKey(key))
                    throw new AdminInputException("member", $"User {user.UserId} is already a member of team {team.TeamId}");
                var settings = new TeamMemberSettings
                {
                    TeamId = team.TeamId, UserId = user.UserId, Role = role, MaxBudgetNanos = budget, CreatedAt = now, UpdatedAt = now,
                };
                await data.AccountStore.UpsertMemberAsync(settings);
                var member = new TeamMember(settings, new SpendCounter());
                data.Accounts.Members[key] = member;
                added.Add(member);
            }
            await AdminOutput.WriteAsync(context, json =>
            {
                json.WriteStartObject();
                json.WriteString("team_id", team.TeamId);
                json.WriteString("team_alias", team.TeamAlias);
                json.WriteStartArray("updated_users");
                foreach (var member in added)
                {
                    json.WriteStartObject();
                    json.WriteString("user_id", member.Settings.UserId);
                    json.WriteString("user_email", data.Accounts.Users.TryGetValue(member.Settings.UserId, out var u) ? u.Settings.UserEmail : null);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteStartArray("updated_team_memberships");
                foreach (var member in added)
                    Membership(json, member);
                json.WriteEndArray();
                json.WriteEndObject();
            });
        });

    public static Task UpdateAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: true, async (input, data) =>
        {
            var member = await MemberAsync(data, input);
            var settings = member.Settings with { UpdatedAt = data.Time.GetUtcNow() };
            if (input.Has("max_budget_in_team"))
                settings = settings with { MaxBudgetNanos = Budget(input) };
            if (input.String("role") is { } role)
            {
                if (role is not ("user" or "admin"))
                    throw new AdminInputException("role", $"Invalid role: must be 'user' or 'admin', got '{role}'");
                settings = settings with { Role = role };
            }
            await data.AccountStore.UpsertMemberAsync(settings);
            member.Settings = settings;
            await AdminOutput.WriteAsync(context, json => Membership(json, member));
        });

    public static Task DeleteAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: true, async (input, data) =>
        {
            var member = await MemberAsync(data, input);
            await RemoveAsync(data, m => m.TeamId == member.Settings.TeamId && m.UserId == member.Settings.UserId);
            await AdminOutput.WriteAsync(context, json => Membership(json, member));
        });

    /// <summary>Removes the memberships <paramref name="which"/> picks: from the store, then from the cache.</summary>
    public static async Task RemoveAsync(GatewayData data, Func<TeamMemberSettings, bool> which)
    {
        var members = data.Accounts.Members.Values.Where(m => which(m.Settings)).Select(m => (m.Settings.TeamId, m.Settings.UserId)).ToList();
        await data.AccountStore.DeleteMembersAsync(members);
        foreach (var member in members)
            data.Accounts.Members.TryRemove(member, out _);
    }

    /// <summary>LiteLLM's membership shape: the budget sits in <c>litellm_budget_table</c>.</summary>
    public static void Membership(Utf8JsonWriter json, TeamMember member)
    {
        var m = member.Settings;
        json.WriteStartObject();
        json.WriteString("team_id", m.TeamId);
        json.WriteString("user_id", m.UserId);
        json.WriteString("role", m.Role);
        json.WriteNumber("spend", Money.ToDollars(member.Spend.Nanos));
        if (m.MaxBudgetNanos is { } max)
        {
            json.WriteStartObject("litellm_budget_table");
            json.WriteNumber("max_budget", Money.ToDollars(max));
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("litellm_budget_table");
        }
        json.WriteEndObject();
    }

    private static TeamSettings Team(GatewayData data, AdminInput input)
    {
        var teamId = input.RequiredString("team_id");
        return data.Accounts.Teams.TryGetValue(teamId, out var team)
            ? team.Settings
            : throw AdminInputException.NotFound("team_id", $"Team not found: team_id={teamId}");
    }

    private static async Task<TeamMember> MemberAsync(GatewayData data, AdminInput input)
    {
        var team = Team(data, input);
        var user = await UserForAsync(data, input.String("user_id"), input.String("user_email"), create: false, default);
        return data.Accounts.Members.TryGetValue((team.TeamId, user.UserId), out var member)
            ? member
            : throw AdminInputException.NotFound("user_id", $"User {user.UserId} is not a member of team {team.TeamId}");
    }

    private static long? Budget(AdminInput input) =>
        input.Money("max_budget_in_team") is { } max ? Money.ToNanos(max) : null;

    /// <summary>The user named by id or email; <c>member_add</c> creates one that does not exist yet, as LiteLLM does.</summary>
    private static async Task<UserSettings> UserForAsync(GatewayData data, string? userId, string? email, bool create, DateTimeOffset now)
    {
        if (userId is null && email is null)
            throw new AdminInputException("user_id", "user_id or user_email is required");
        if (userId is not null && data.Accounts.Users.TryGetValue(userId, out var byId))
            return byId.Settings;
        if (userId is null && data.Accounts.Users.Values.FirstOrDefault(u => string.Equals(u.Settings.UserEmail, email, StringComparison.OrdinalIgnoreCase)) is { } byEmail)
            return byEmail.Settings;
        if (!create)
            throw AdminInputException.NotFound("user_id", $"User not found: {(userId is null ? "user_email=" + email : "user_id=" + userId)}");
        var settings = new UserSettings { UserId = userId ?? Guid.NewGuid().ToString(), UserEmail = email, CreatedAt = now, UpdatedAt = now };
        await data.AccountStore.UpsertUserAsync(settings);
        data.Accounts.Users[settings.UserId] = new Account<UserSettings>(settings, new SpendCounter());
        return settings;
    }

    private static string? Text(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => JsonText.TryGetString(value, out var text) ? text : throw new AdminInputException("member", $"Invalid member: {name} {JsonText.InvalidText}"),
            JsonValueKind.Null => null,
            _ => throw new AdminInputException("member", $"Invalid member: {name} must be a string"),
        } : null;
}
