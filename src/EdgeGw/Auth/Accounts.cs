using System.Collections.Concurrent;
using EdgeGw.Spend;

namespace EdgeGw.Auth;

/// <summary>
/// The request-time cache of keys, teams and users: loaded from the database at start and changed
/// only by the admin routes, right after their database write, so it is always exact and a request
/// never touches the database.
/// </summary>
internal sealed class Accounts
{
    public ConcurrentDictionary<TokenHash, KeyAccount> Keys { get; } = new();
    public ConcurrentDictionary<string, Account<TeamSettings>> Teams { get; } = new(StringComparer.Ordinal);
    public ConcurrentDictionary<string, Account<UserSettings>> Users { get; } = new(StringComparer.Ordinal);
    /// <summary>Team memberships by (team_id, user_id).</summary>
    public ConcurrentDictionary<(string TeamId, string UserId), TeamMember> Members { get; } = new();
    /// <summary>The whole proxy's spend, for <c>litellm_settings.max_budget</c>.</summary>
    public SpendCounter Global { get; set; } = new();

    /// <summary>Admin mutations run one at a time (alias uniqueness, team existence, cascades).</summary>
    public SemaphoreSlim AdminGate { get; } = new(1, 1);

    public Account<TeamSettings>? TeamOf(KeySettings key) =>
        key.TeamId is not null && Teams.TryGetValue(key.TeamId, out var team) ? team : null;

    public Account<UserSettings>? UserOf(KeySettings key) =>
        key.UserId is not null && Users.TryGetValue(key.UserId, out var user) ? user : null;

    /// <summary>The key's user's membership in the key's team, when it has both and the user was added to the team.</summary>
    public TeamMember? MemberOf(KeySettings key) =>
        key.TeamId is { } team && key.UserId is { } user && Members.TryGetValue((team, user), out var member) ? member : null;

    public KeyAccount? FindKeyByAlias(string alias) =>
        Keys.Values.FirstOrDefault(k => string.Equals(k.Settings.KeyAlias, alias, StringComparison.Ordinal));
}
