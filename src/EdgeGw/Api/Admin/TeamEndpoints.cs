using EdgeGw.Auth;
using EdgeGw.Spend;
using EdgeGw.Storage;

namespace EdgeGw.Api.Admin;

/// <summary><c>/team/*</c>: teams share a budget and a model list across their keys.</summary>
internal static class TeamEndpoints
{
    public static Task NewAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: true, async (input, data) =>
        {
            var now = data.Time.GetUtcNow();
            var teamId = input.String("team_id") ?? Guid.NewGuid().ToString();
            if (teamId.Length == 0)
                throw new AdminInputException("team_id", "Invalid team_id: must not be empty");
            if (data.Accounts.Teams.ContainsKey(teamId))
                throw new AdminInputException("team_id", $"Invalid team_id: team '{teamId}' already exists");
            var settings = Apply(input, new TeamSettings { TeamId = teamId, CreatedAt = now, UpdatedAt = now });
            var account = new Account<TeamSettings>(settings, new SpendCounter());
            await data.AccountStore.UpsertTeamAsync(settings);
            data.Accounts.Teams[teamId] = account;
            await CounterChanges.PersistAsync(data, account, settings.BudgetDuration, durationChanged: true, input.Money("spend"), now, state.Limits.Shared);
            await AdminOutput.WriteAsync(context, json => AdminOutput.Team(json, account));
        });

    private static TeamSettings Apply(AdminInput input, TeamSettings t)
    {
        if (input.Has("team_alias"))
            t = t with { TeamAlias = input.String("team_alias") };
        if (input.Has("models"))
            t = t with { Models = input.Strings("models") ?? [] };
        if (input.Has("max_budget"))
            t = t with { MaxBudgetNanos = input.Money("max_budget") is { } max ? Money.ToNanos(max) : null };
        if (input.Has("budget_duration"))
            t = t with { BudgetDuration = input.Duration("budget_duration") };
        if (input.Has("rpm_limit"))
            t = t with { RpmLimit = input.Count("rpm_limit") };
        if (input.Has("tpm_limit"))
            t = t with { TpmLimit = input.Count("tpm_limit") };
        if (input.Has("max_parallel_requests"))
            t = t with { MaxParallelRequests = input.Count("max_parallel_requests") };
        if (input.Has("blocked"))
            t = t with { Blocked = input.Bool("blocked") ?? false };
        if (input.Has("metadata"))
            t = t with { MetadataJson = input.Metadata("metadata") ?? "{}" };
        _ = input.Money("spend");
        return t;
    }

    private static Account<TeamSettings> Find(GatewayData data, string teamId, string field = "team_id") =>
        data.Accounts.Teams.TryGetValue(teamId, out var team)
            ? team
            : throw AdminInputException.NotFound(field, $"Team not found: team_id={teamId}");

    public static Task InfoAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: false, async (input, data) =>
        {
            var team = Find(data, input.RequiredString("team_id"));
            var keys = data.Accounts.Keys.Values.Where(k => k.Settings.TeamId == team.Settings.TeamId)
                .OrderBy(k => k.Settings.CreatedAt).ToList();
            await AdminOutput.WriteAsync(context, json =>
            {
                json.WriteStartObject();
                json.WriteString("team_id", team.Settings.TeamId);
                json.WritePropertyName("team_info");
                AdminOutput.Team(json, team);
                json.WriteStartArray("keys");
                foreach (var key in keys)
                    AdminOutput.Key(json, key);
                json.WriteEndArray();
                json.WriteStartArray("team_memberships");
                foreach (var member in data.Accounts.Members.Values.Where(m => m.Settings.TeamId == team.Settings.TeamId).OrderBy(m => m.Settings.CreatedAt))
                    TeamMemberEndpoints.Membership(json, member);
                json.WriteEndArray();
                json.WriteEndObject();
            });
        });

    public static Task UpdateAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: true, async (input, data) =>
        {
            var team = Find(data, input.RequiredString("team_id"));
            var now = data.Time.GetUtcNow();
            var before = team.Settings;
            var after = Apply(input, before) with { UpdatedAt = now };
            await data.AccountStore.UpsertTeamAsync(after);
            team.Settings = after;
            await CounterChanges.PersistAsync(data, team, after.BudgetDuration, !Equals(before.BudgetDuration, after.BudgetDuration), input.Money("spend"), now, state.Limits.Shared);
            // LiteLLM's shape: {"team_id": …, "data": <the updated team>}.
            await AdminOutput.WriteAsync(context, json =>
            {
                json.WriteStartObject();
                json.WriteString("team_id", after.TeamId);
                json.WritePropertyName("data");
                AdminOutput.Team(json, team);
                json.WriteEndObject();
            });
        });

    public static Task DeleteAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: true, async (input, data) =>
        {
            var ids = input.Strings("team_ids") ?? throw new AdminInputException("team_ids", "team_ids is required (a list of team ids)");
            foreach (var id in ids)
                Find(data, id, "team_ids");
            // LiteLLM deletes a team's keys with it: a key must not outlive the budget it was bound to.
            var keys = data.Accounts.Keys.Values.Where(k => k.Settings.TeamId is { } t && ids.Contains(t)).Select(k => k.Settings.Token).ToList();
            // The cache follows each step the database took: a step that fails (503) leaves both as they were.
            await data.AccountStore.DeleteAsync(AccountTable.Key, [.. keys.Select(k => k.ToHex())]);
            foreach (var key in keys)
                data.Accounts.Keys.TryRemove(key, out _);
            await TeamMemberEndpoints.RemoveAsync(data, m => ids.Contains(m.TeamId));
            await data.AccountStore.DeleteAsync(AccountTable.Team, ids);
            foreach (var id in ids)
                data.Accounts.Teams.TryRemove(id, out _);
            await AdminOutput.WriteAsync(context, json =>
            {
                json.WriteStartObject();
                json.WriteStartArray("deleted_teams");
                foreach (var id in ids)
                    json.WriteStringValue(id);
                json.WriteEndArray();
                json.WriteNumber("deleted_keys", keys.Count);
                json.WriteEndObject();
            });
        });

    public static Task ListAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: false, async (input, data) =>
        {
            var teams = data.Accounts.Teams.Values.OrderBy(t => t.Settings.CreatedAt).ThenBy(t => t.Settings.TeamId, StringComparer.Ordinal).ToList();
            await AdminOutput.WriteAsync(context, json =>
            {
                json.WriteStartArray();
                foreach (var team in teams)
                    AdminOutput.Team(json, team);
                json.WriteEndArray();
            });
        });
}
