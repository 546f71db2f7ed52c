using EdgeGw.Auth;

namespace EdgeGw.Api.Admin;

/// <summary>
/// <c>GET /key/list</c>, LiteLLM's <c>list_keys</c>: <c>{"keys": [token… or key objects with
/// return_full_object=true], "total_count", "current_page", "total_pages"}</c>. Filters <c>user_id</c>,
/// <c>team_id</c>, <c>key_alias</c> (exact, as LiteLLM's), <c>key_hash</c> (the token, or the key itself); sort
/// by <c>spend</c>, <c>max_budget</c>, <c>created_at</c>, <c>updated_at</c>, <c>token</c> or <c>key_alias</c>
/// (<c>sort_order</c> desc by default), else newest first. A key that belongs to a user lists that user's keys
/// (LiteLLM's internal user); <c>include_team_keys</c> adds nothing for the master key, which sees every key.
/// </summary>
internal static partial class KeyEndpoints
{
    private static readonly string[] SortColumns = ["spend", "max_budget", "created_at", "updated_at", "token", "key_alias"];

    public static Task ListAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: false, async (input, data) =>
        {
            var paging = AdminPaging.Read(input, "size", defaultSize: 10, maxSize: 100);
            var teamId = input.String("team_id");
            var userId = AdminScope.User(context, input.String("user_id"));
            var alias = input.String("key_alias");
            var hash = input.String("key_hash") is { } h ? TokenHash.FromKeyOrToken(h) : (TokenHash?)null;
            var full = input.Bool("return_full_object") ?? false;
            _ = input.Bool("include_team_keys");
            var matching = Sort(input, data.Accounts.Keys.Values
                .Where(k => (teamId is null || k.Settings.TeamId == teamId) && (userId is null || k.Settings.UserId == userId)
                    && (alias is null || k.Settings.KeyAlias == alias) && (hash is null || k.Settings.Token == hash)))
                .ToList();
            await AdminOutput.WriteAsync(context, json =>
            {
                json.WriteStartObject();
                json.WriteStartArray("keys");
                foreach (var key in paging.Of(matching))
                {
                    if (full)
                        AdminOutput.Key(json, key);
                    else
                        json.WriteStringValue(key.Settings.Token.ToHex());
                }
                json.WriteEndArray();
                json.WriteNumber("total_count", matching.Count);
                json.WriteNumber("current_page", paging.Page);
                json.WriteNumber("total_pages", paging.TotalPages(matching.Count));
                json.WriteEndObject();
            });
        });

    private static IEnumerable<KeyAccount> Sort(AdminInput input, IEnumerable<KeyAccount> keys)
    {
        var (sortBy, descending) = AdminSort.Read(input, SortColumns, "desc");
        var desc = sortBy is null || descending;
        // The token breaks ties (LiteLLM's fallback sort), so pages never overlap.
        IOrderedEnumerable<KeyAccount> sorted = sortBy switch
        {
            "spend" => desc ? keys.OrderByDescending(k => k.Spend.Nanos) : keys.OrderBy(k => k.Spend.Nanos),
            "max_budget" => desc ? keys.OrderByDescending(k => k.Settings.MaxBudgetNanos) : keys.OrderBy(k => k.Settings.MaxBudgetNanos),
            "updated_at" => desc ? keys.OrderByDescending(k => k.Settings.UpdatedAt) : keys.OrderBy(k => k.Settings.UpdatedAt),
            "key_alias" => desc ? keys.OrderByDescending(k => k.Settings.KeyAlias, StringComparer.Ordinal) : keys.OrderBy(k => k.Settings.KeyAlias, StringComparer.Ordinal),
            "token" => desc ? keys.OrderByDescending(k => k.Settings.Token.ToHex(), StringComparer.Ordinal) : keys.OrderBy(k => k.Settings.Token.ToHex(), StringComparer.Ordinal),
            _ => desc ? keys.OrderByDescending(k => k.Settings.CreatedAt) : keys.OrderBy(k => k.Settings.CreatedAt),
        };
        return desc ? sorted.ThenByDescending(k => k.Settings.Token.ToHex(), StringComparer.Ordinal) : sorted.ThenBy(k => k.Settings.Token.ToHex(), StringComparer.Ordinal);
    }
}
