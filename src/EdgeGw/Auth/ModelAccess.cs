using System.Collections.Immutable;
using EdgeGw.Api;

namespace EdgeGw.Auth;

/// <summary>
/// LiteLLM's model allowlists: an empty <c>models</c> list allows every model; a key's list may
/// say <c>all-team-models</c> (its team's list) or <c>all-proxy-models</c> (everything). A key
/// must pass its own list, its team's and its user's.
/// </summary>
internal static class ModelAccess
{
    public static GatewayError? Check(Caller caller, Accounts accounts, string model)
    {
        if (caller.Key is not { } account)
            return null;
        var key = account.Settings;
        if (!Allows(key.Models, model))
            return Denied("key", key.Models, model);
        if (accounts.TeamOf(key) is { } team && !Allows(team.Settings.Models, model))
            return Denied("team", team.Settings.Models, model);
        if (accounts.UserOf(key) is { } user && !Allows(user.Settings.Models, model))
            return Denied("user", user.Settings.Models, model);
        return null;
    }

    public static bool IsAllowed(Caller caller, Accounts accounts, string model) => Check(caller, accounts, model) is null;

    private static bool Allows(ImmutableArray<string> models, string model)
    {
        if (models.IsDefaultOrEmpty)
            return true;
        foreach (var allowed in models)
        {
            if (string.Equals(allowed, model, StringComparison.Ordinal)
                || allowed is "all-proxy-models" or "all-team-models" or "*")
                return true;
        }
        return false;
    }

    private static GatewayError Denied(string who, ImmutableArray<string> models, string model) => new(401,
        $"{who} not allowed to access model. This {who} can only access models=[{string.Join(", ", models.Select(m => $"'{m}'"))}]. Tried to access {model}",
        "key_model_access_denied", "401", "model");
}
