using EdgeGw.Auth;
using Npgsql;

namespace EdgeGw.Storage.Postgres;

/// <summary>
/// Accounts in LiteLLM's tables (<see cref="LiteLlmAccounts"/>); a database that is down is a <see cref="StoreUnavailableException"/>.
/// Each committed write is announced on <paramref name="changes"/> so every replica reloads the rows it touched.
/// </summary>
internal sealed class PostgresAccountStore(NpgsqlDataSource source, DatabaseUrl url, IAccountChanges? changes = null) : IAccountStore
{
    public Task<int> LoadIntoAsync(Accounts accounts, AccountChange? only = null) => Guard(() => LiteLlmAccounts.LoadIntoAsync(source, accounts, only));

    public Task UpsertKeyAsync(KeySettings key) => Write(() => LiteLlmAccounts.UpsertKeyAsync(source, key), Key(key.Token));

    public Task RegenerateKeyAsync(TokenHash from, KeySettings to) => Write(() => LiteLlmAccounts.RegenerateKeyAsync(source, from, to), Key(from), Key(to.Token));

    public Task UpsertTeamAsync(TeamSettings team) => Write(() => LiteLlmAccounts.UpsertTeamAsync(source, team), new AccountChange(AccountTable.Team, team.TeamId));

    public Task UpsertUserAsync(UserSettings user) => Write(() => LiteLlmAccounts.UpsertUserAsync(source, user), new AccountChange(AccountTable.User, user.UserId));

    public Task DeleteAsync(AccountTable table, IReadOnlyCollection<string> ids) =>
        Write(() => LiteLlmAccounts.DeleteAsync(source, table, ids), [.. ids.Select(id => new AccountChange(table, id))]);

    // A membership lives in the team's row (members_with_roles) and LiteLLM_TeamMembership: the team's reload brings both.
    public Task UpsertMemberAsync(TeamMemberSettings member) => Write(() => LiteLlmAccounts.UpsertMemberAsync(source, member), new AccountChange(AccountTable.Team, member.TeamId));

    public Task DeleteMembersAsync(IReadOnlyCollection<(string TeamId, string UserId)> members) =>
        Write(() => LiteLlmAccounts.DeleteMembersAsync(source, members), [.. members.Select(m => m.TeamId).Distinct().Select(t => new AccountChange(AccountTable.Team, t))]);

    private static AccountChange Key(TokenHash token) => new(AccountTable.Key, token.ToHex());

    private async Task Write(Func<Task> write, params AccountChange[] changed)
    {
        await Guard(async () =>
        {
            await write();
            return 0;
        });
        if (changes is not null)
            await changes.PublishAsync(changed);
    }

    private async Task<T> Guard<T>(Func<Task<T>> work)
    {
        try
        {
            return await work();
        }
        catch (Exception e) when (PostgresFailure.IsUnavailable(e))
        {
            throw PostgresFailure.Unavailable(e, url);
        }
    }
}
