using EdgeGw.Auth;

namespace EdgeGw.Api.Admin;

/// <summary>
/// <c>GET /user/list</c>, LiteLLM's paginated <c>UserListResponse</c>: <c>{"users": [user + user_role, teams,
/// key_count], "total", "page", "page_size", "total_pages"}</c>. Filters as LiteLLM's: <c>user_ids</c> (one id:
/// a case-insensitive substring; several, comma-separated: exact), <c>user_email</c> (case-insensitive substring),
/// <c>team</c> (a member of it), <c>role</c>; newest first unless <c>sort_by</c>/<c>sort_order</c> say otherwise.
/// Every EdgeGw user is an <c>internal_user</c> (the role it writes to LiteLLM's table).
/// </summary>
internal static partial class UserEndpoints
{
    private const string Role = "internal_user";

    private static readonly string[] SortColumns = ["user_id", "user_email", "created_at", "spend", "user_alias", "user_role"];

    public static Task ListAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: false, async (input, data) =>
        {
            var paging = AdminPaging.Read(input, "page_size", defaultSize: 25, maxSize: 100);
            var accounts = data.Accounts;
            var teamsOf = accounts.Members.Keys.GroupBy(m => m.UserId, m => m.TeamId, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
            var keyCounts = accounts.Keys.Values.Where(k => k.Settings.UserId is not null)
                .CountBy(k => k.Settings.UserId!, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);
            IEnumerable<Account<UserSettings>> users = accounts.Users.Values;
            if (input.String("user_ids") is { } ids)
            {
                var list = ids.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                users = list.Length == 1
                    ? users.Where(u => u.Settings.UserId.Contains(list[0], StringComparison.OrdinalIgnoreCase))
                    : users.Where(u => list.Contains(u.Settings.UserId, StringComparer.Ordinal));
            }
            if (input.String("user_email") is { } email)
                users = users.Where(u => u.Settings.UserEmail?.Contains(email, StringComparison.OrdinalIgnoreCase) == true);
            if (input.String("team") is { } team)
                users = users.Where(u => accounts.Members.ContainsKey((team, u.Settings.UserId)));
            if (input.String("role") is { } role && role != Role)
                users = [];
            var matching = Sort(input, users).ToList();
            await AdminOutput.WriteAsync(context, json =>
            {
                json.WriteStartObject();
                json.WriteStartArray("users");
                foreach (var user in paging.Of(matching))
                {
                    AdminOutput.User(json, user, more: j =>
                    {
                        j.WriteString("user_role", Role);
                        j.WriteStartArray("teams");
                        foreach (var teamId in teamsOf.GetValueOrDefault(user.Settings.UserId) ?? [])
                            j.WriteStringValue(teamId);
                        j.WriteEndArray();
                        j.WriteNumber("key_count", keyCounts.GetValueOrDefault(user.Settings.UserId));
                    });
                }
                json.WriteEndArray();
                json.WriteNumber("total", matching.Count);
                json.WriteNumber("page", paging.Page);
                json.WriteNumber("page_size", paging.Size);
                json.WriteNumber("total_pages", paging.TotalPages(matching.Count));
                json.WriteEndObject();
            });
        });

    private static IEnumerable<Account<UserSettings>> Sort(AdminInput input, IEnumerable<Account<UserSettings>> users)
    {
        var (sortBy, desc) = AdminSort.Read(input, SortColumns, "asc");
        // The user id breaks ties, so pages never overlap.
        if (sortBy is null)
            return users.OrderByDescending(u => u.Settings.CreatedAt).ThenBy(u => u.Settings.UserId, StringComparer.Ordinal);
        IOrderedEnumerable<Account<UserSettings>> sorted = sortBy switch
        {
            "spend" => desc ? users.OrderByDescending(u => u.Spend.Nanos) : users.OrderBy(u => u.Spend.Nanos),
            "created_at" => desc ? users.OrderByDescending(u => u.Settings.CreatedAt) : users.OrderBy(u => u.Settings.CreatedAt),
            "user_email" => By(users, u => u.Settings.UserEmail, desc),
            "user_alias" => By(users, u => u.Settings.UserAlias, desc),
            _ => By(users, u => u.Settings.UserId, desc),
        };
        return sorted.ThenBy(u => u.Settings.UserId, StringComparer.Ordinal);
    }

    private static IOrderedEnumerable<Account<UserSettings>> By(IEnumerable<Account<UserSettings>> users, Func<Account<UserSettings>, string?> text, bool desc) =>
        desc ? users.OrderByDescending(text, StringComparer.Ordinal) : users.OrderBy(text, StringComparer.Ordinal);
}
