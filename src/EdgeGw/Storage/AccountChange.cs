namespace EdgeGw.Storage;

/// <summary>
/// One row an admin write changed: a key (by token hex), a user, or a team with its memberships (by id).
/// A replica that hears of it reloads just that row; a row gone from the database leaves the cache.
/// </summary>
internal readonly record struct AccountChange(AccountTable Table, string Id)
{
    private const char Separator = ':';

    /// <summary>"key:ab12…", "team:t1", "user:alice": small enough for any transport (PostgreSQL's NOTIFY payload is under 8000 bytes).</summary>
    public string ToPayload() => Table switch
    {
        AccountTable.Key => "key",
        AccountTable.Team => "team",
        _ => "user",
    } + Separator + Id;

    public static bool TryParse(string payload, out AccountChange change)
    {
        change = default;
        var at = payload.IndexOf(Separator, StringComparison.Ordinal);
        if (at <= 0 || at == payload.Length - 1)
            return false;
        AccountTable? table = payload.AsSpan(0, at) switch
        {
            "key" => AccountTable.Key,
            "team" => AccountTable.Team,
            "user" => AccountTable.User,
            _ => null,
        };
        if (table is null)
            return false;
        change = new AccountChange(table.Value, payload[(at + 1)..]);
        return true;
    }
}
