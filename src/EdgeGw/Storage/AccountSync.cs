using System.Collections.Concurrent;
using EdgeGw.Auth;
using EdgeGw.Spend;

namespace EdgeGw.Storage;

/// <summary>
/// Brings the cache in line with the database for the rows another replica (or this one) changed:
/// settings are replaced in place, so an account keeps its live spend, rate counters and callers; a
/// row gone from the database leaves the cache; spend is taken in by <see cref="SpendCounter.Observe"/>.
/// Run-time model changes ride the same transport and go to <paramref name="models"/> (the router's reload).
/// </summary>
internal sealed class AccountSync(IAccountStore store, Accounts cache, ModelReloads? models = null) : IAccountChangeSink
{
    public async Task ChangedAsync(AccountChange change, CancellationToken cancel)
    {
        if (change.Table == AccountTable.Model)
        {
            models?.Request();
            return;
        }
        await ReloadAsync(change, cancel);
        if (change.SpendSetNanos is { } nanos && SpendOf(change) is { } spend)
            spend.Replace(nanos);
    }

    private SpendCounter? SpendOf(AccountChange change) => change.Table switch
    {
        AccountTable.Key => TokenHash.TryParseHex(change.Id, out var token) && cache.Keys.TryGetValue(token, out var key) ? key.Spend : null,
        AccountTable.Team => cache.Teams.TryGetValue(change.Id, out var team) ? team.Spend : null,
        _ => cache.Users.TryGetValue(change.Id, out var user) ? user.Spend : null,
    };

    public async Task ReloadAllAsync(CancellationToken cancel)
    {
        await ReloadAsync(null, cancel);
        // Model changes missed while away too; asked for once the accounts read back (a failed read is retried whole by the transport).
        models?.Request();
    }

    private async Task ReloadAsync(AccountChange? only, CancellationToken cancel)
    {
        // Admin writes on this replica update the cache under the gate: a snapshot read before their write never overwrites it.
        await cache.AdminGate.WaitAsync(cancel);
        try
        {
            var loaded = new Accounts();
            await store.LoadIntoAsync(loaded, only);
            if (only is null or { Table: AccountTable.Key })
                Merge(cache.Keys, loaded.Keys, only?.Table == AccountTable.Key ? k => k.ToHex() == only.Value.Id : null, (a, b) => a.Settings = b.Settings, a => a.Spend);
            if (only is null or { Table: AccountTable.Team })
            {
                Merge(cache.Teams, loaded.Teams, only is { } t ? id => id == t.Id : null, (a, b) => a.Settings = b.Settings, a => a.Spend);
                Merge(cache.Members, loaded.Members, only is { } m ? id => id.TeamId == m.Id : null, (a, b) => a.Settings = b.Settings, a => a.Spend);
            }
            if (only is null or { Table: AccountTable.User })
                Merge(cache.Users, loaded.Users, only is { } u ? id => id == u.Id : null, (a, b) => a.Settings = b.Settings, a => a.Spend);
            if (only is null)
                cache.Global.Observe(loaded.Global.Nanos, loaded.Global.ResetAtMs);
        }
        finally
        {
            cache.AdminGate.Release();
        }
    }

    /// <summary>Rows in <paramref name="inScope"/> (all when null) take the loaded state; those not loaded are removed.</summary>
    private static void Merge<TId, TAccount>(ConcurrentDictionary<TId, TAccount> cache, ConcurrentDictionary<TId, TAccount> loaded,
        Func<TId, bool>? inScope, Action<TAccount, TAccount> update, Func<TAccount, SpendCounter> spend) where TId : notnull
    {
        foreach (var (id, fresh) in loaded)
        {
            if (cache.TryGetValue(id, out var current))
            {
                update(current, fresh);
                var s = spend(fresh);
                spend(current).Observe(s.Nanos, s.ResetAtMs);
            }
            else
            {
                cache[id] = fresh;
            }
        }
        foreach (var id in cache.Keys)
        {
            if ((inScope is null || inScope(id)) && !loaded.ContainsKey(id))
                cache.TryRemove(id, out _);
        }
    }
}
