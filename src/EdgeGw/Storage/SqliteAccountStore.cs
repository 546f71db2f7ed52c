using EdgeGw.Auth;

namespace EdgeGw.Storage;

/// <summary>Accounts in EdgeGw's own SQLite tables (<see cref="AccountTables"/>, <see cref="TeamMemberTable"/>).</summary>
internal sealed class SqliteAccountStore(SqliteStore store) : IAccountStore
{
    // One replica per file: there is no other writer to catch up with, so a row's reload is the whole load.
    public Task<int> LoadIntoAsync(Accounts accounts, AccountChange? only = null)
    {
        AccountTables.LoadInto(store, accounts);
        TeamMemberTable.LoadInto(store, accounts);
        return Task.FromResult(0);
    }

    public Task UpsertKeyAsync(KeySettings key) => Done(() => AccountTables.UpsertKey(store, key));

    public Task RegenerateKeyAsync(TokenHash from, KeySettings to) => Done(() => AccountTables.RegenerateKey(store, from, to));

    public Task UpsertTeamAsync(TeamSettings team) => Done(() => AccountTables.UpsertTeam(store, team));

    public Task UpsertUserAsync(UserSettings user) => Done(() => AccountTables.UpsertUser(store, user));

    public Task DeleteAsync(AccountTable table, IReadOnlyCollection<string> ids) => Done(() => table switch
    {
        AccountTable.Key => AccountTables.Delete(store, "keys", "token", ids),
        AccountTable.Team => AccountTables.Delete(store, "teams", "team_id", ids),
        AccountTable.User => AccountTables.Delete(store, "users", "user_id", ids),
        _ => throw new ArgumentOutOfRangeException(nameof(table), table, "not an account table"),
    });

    public Task UpsertMemberAsync(TeamMemberSettings member) => Done(() => TeamMemberTable.Upsert(store, member));

    public Task DeleteMembersAsync(IReadOnlyCollection<(string TeamId, string UserId)> members) => Done(() => TeamMemberTable.Delete(store, members));

    // SQLite runs synchronously on its one connection; a failure surfaces from the returned task like PostgreSQL's.
    private static Task Done<T>(Func<T> write)
    {
        try
        {
            write();
            return Task.CompletedTask;
        }
        catch (Exception e)
        {
            return Task.FromException(e);
        }
    }

    private static Task Done(Action write) => Done(() =>
    {
        write();
        return 0;
    });
}
