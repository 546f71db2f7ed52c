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
    /// <summary>The whole proxy's spend, for <c>litellm_settings.max_budget</c>.</summary>
    public SpendCounter Global { get; set; } = new();

    /// <summary>Admin mutations run one at a time (alias uniqueness, team existence, cascades).</summary>
    public SemaphoreSlim AdminGate { get; } = new(1, 1);

    public Account<TeamSettings>? TeamOf(KeySettings key) =>
        key.TeamId is not null && Teams.TryGetValue(key.TeamId, out var team) ? team : null;

    public Account<UserSettings>? UserOf(KeySettings key) =>
        key.UserId is not null && Users.TryGetValue(key.UserId, out var user) ? user : null;

    public KeyAccount? FindKeyByAlias(string alias) =>
        Keys.Values.FirstOrDefault(k => string.Equals(k.Settings.KeyAlias, alias, StringComparison.Ordinal));
}
