using EdgeGw.Auth;

namespace EdgeGw.Storage;

/// <summary>
/// Where keys, teams, users and team memberships are kept: start-up fills the cache from it and the
/// admin routes write through it, each change reaching the cache only after the store took it.
/// SQLite keeps EdgeGw's own tables, PostgreSQL LiteLLM's. A database that cannot be reached or
/// written throws <see cref="StoreUnavailableException"/> (the admin answer is 503) having changed nothing.
/// Spend columns are never written here: they move through the spend writer.
/// </summary>
internal interface IAccountStore
{
    /// <summary>
    /// Fills <paramref name="accounts"/>, or with <paramref name="only"/> at least that row (a team with its
    /// members); returns the rows skipped as unreadable (a key whose token is not a SHA-256 hex).
    /// </summary>
    Task<int> LoadIntoAsync(Accounts accounts, AccountChange? only = null);

    Task UpsertKeyAsync(KeySettings key);

    /// <summary>Moves a key's row to a new token, keeping its spend, and stores its new settings: both or neither.</summary>
    Task RegenerateKeyAsync(TokenHash from, KeySettings to);

    Task UpsertTeamAsync(TeamSettings team);

    Task UpsertUserAsync(UserSettings user);

    /// <summary>Deletes keys (by token hex), teams or users (by id); ids not stored are ignored.</summary>
    Task DeleteAsync(AccountTable table, IReadOnlyCollection<string> ids);

    Task UpsertMemberAsync(TeamMemberSettings member);

    Task DeleteMembersAsync(IReadOnlyCollection<(string TeamId, string UserId)> members);
}

/// <summary>Which account table a delete targets, or which row a change announces.</summary>
internal enum AccountTable
{
    Key,
    Team,
    User,
    /// <summary>A run-time model (<see cref="IModelStore"/>, by model id): only ever announced on the change channel, never an account delete.</summary>
    Model,
}
