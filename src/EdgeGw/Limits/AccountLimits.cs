using EdgeGw.Auth;

namespace EdgeGw.Limits;

/// <summary>Reads a key's, team's or user's current limit settings into its live <see cref="EntityLimits"/>.</summary>
internal static class AccountLimits
{
    public static string Scope(AccountSettings settings) => settings switch
    {
        KeySettings => "key",
        TeamSettings => "team",
        _ => "user",
    };

    /// <summary>What messages call the entity: an alias where there is one, never a key.</summary>
    public static string Name(AccountSettings settings) => settings switch
    {
        KeySettings k => k.KeyAlias ?? k.KeyName,
        TeamSettings t => t.TeamAlias ?? t.TeamId,
        UserSettings u => u.UserId,
        _ => "",
    };

    /// <summary>The entity's id in shared state: a key by its token hash, a team or user by its id.</summary>
    public static string Id(AccountSettings settings) => settings switch
    {
        KeySettings k => $"key:{k.Token.ToHex()}",
        TeamSettings t => $"team:{t.TeamId}",
        UserSettings u => $"user:{u.UserId}",
        _ => "",
    };

    /// <summary>The account's limits as its settings say now; null when it has none.</summary>
    public static EntityLimits? Current<T>(Account<T> account, long now) where T : AccountSettings
    {
        var settings = account.Settings;
        var limits = account.Limits.Ensure(settings.RpmLimit, settings.TpmLimit, settings.MaxParallelRequests, now);
        return limits.IsEmpty ? null : limits;
    }
}
