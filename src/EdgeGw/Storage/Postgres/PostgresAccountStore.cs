using EdgeGw.Auth;
using Npgsql;

namespace EdgeGw.Storage.Postgres;

/// <summary>Accounts in LiteLLM's tables (<see cref="LiteLlmAccounts"/>); a database that is down is a <see cref="StoreUnavailableException"/>.</summary>
internal sealed class PostgresAccountStore(NpgsqlDataSource source, DatabaseUrl url) : IAccountStore
{
    public Task<int> LoadIntoAsync(Accounts accounts) => Guard(() => LiteLlmAccounts.LoadIntoAsync(source, accounts));

    public Task UpsertKeyAsync(KeySettings key) => Guard(() => LiteLlmAccounts.UpsertKeyAsync(source, key));

    public Task RegenerateKeyAsync(TokenHash from, KeySettings to) => Guard(() => LiteLlmAccounts.RegenerateKeyAsync(source, from, to));

    public Task UpsertTeamAsync(TeamSettings team) => Guard(() => LiteLlmAccounts.UpsertTeamAsync(source, team));

    public Task UpsertUserAsync(UserSettings user) => Guard(() => LiteLlmAccounts.UpsertUserAsync(source, user));

    public Task DeleteAsync(AccountTable table, IReadOnlyCollection<string> ids) => Guard(() => LiteLlmAccounts.DeleteAsync(source, table, ids));

    public Task UpsertMemberAsync(TeamMemberSettings member) => Guard(() => LiteLlmAccounts.UpsertMemberAsync(source, member));

    public Task DeleteMembersAsync(IReadOnlyCollection<(string TeamId, string UserId)> members) =>
        Guard(() => LiteLlmAccounts.DeleteMembersAsync(source, members));

    private async Task Guard(Func<Task> write) => await Guard(async () =>
    {
        await write();
        return 0;
    });

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
