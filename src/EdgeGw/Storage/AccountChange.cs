namespace EdgeGw.Storage;

/// <summary>
/// One row an admin write changed: a key (by token hex), a user, a team with its memberships (by id), or a
/// run-time model (by model id). A replica that hears of it reloads just that row; a row gone from the database leaves the cache.
/// A replica that predates a kind ignores its payload (<see cref="TryParse"/> is false), so mixed versions keep running.
/// </summary>
internal readonly record struct AccountChange(AccountTable Table, string Id)
{
    private const char Separator = ':';
    private const string SpendSetPrefix = "spend=";

    /// <summary>
    /// An admin set this account's spend (nano-USD): the other replicas take the value at once. Their
    /// periodic read only raises spend, and the database holds the old value until the writer's batch.
    /// </summary>
    public long? SpendSetNanos { get; init; }

    /// <summary>"key:ab12…", "team:t1", "user:alice" (an admin's spend set first: "spend=0:key:ab12…"): small enough for any transport (PostgreSQL's NOTIFY payload is under 8000 bytes).</summary>
    public string ToPayload() => (SpendSetNanos is { } set ? SpendSetPrefix + set.ToString(System.Globalization.CultureInfo.InvariantCulture) + Separator : "") + (Table switch
    {
        AccountTable.Key => "key",
        AccountTable.Team => "team",
        AccountTable.Model => "model",
        _ => "user",
    }) + Separator + Id;

    public static bool TryParse(string payload, out AccountChange change)
    {
        change = default;
        if (payload.StartsWith(SpendSetPrefix, StringComparison.Ordinal))
        {
            var end = payload.IndexOf(Separator, StringComparison.Ordinal);
            if (end < 0 || !long.TryParse(payload.AsSpan(SpendSetPrefix.Length, end - SpendSetPrefix.Length), System.Globalization.NumberStyles.AllowLeadingSign,
                    System.Globalization.CultureInfo.InvariantCulture, out var nanos) || !TryParse(payload[(end + 1)..], out var inner))
                return false;
            change = inner with { SpendSetNanos = nanos };
            return true;
        }
        var at = payload.IndexOf(Separator, StringComparison.Ordinal);
        if (at <= 0 || at == payload.Length - 1)
            return false;
        AccountTable? table = payload.AsSpan(0, at) switch
        {
            "key" => AccountTable.Key,
            "team" => AccountTable.Team,
            "user" => AccountTable.User,
            "model" => AccountTable.Model,
            _ => null,
        };
        if (table is null)
            return false;
        change = new AccountChange(table.Value, payload[(at + 1)..]);
        return true;
    }
}
