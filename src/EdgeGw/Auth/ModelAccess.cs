using System.Collections.Immutable;
using EdgeGw.Api;
using EdgeGw.Routing;

namespace EdgeGw.Auth;

/// <summary>
/// LiteLLM's model allowlists: an empty <c>models</c> list allows every model; a key's list may
/// say <c>all-team-models</c> (its team's list) or <c>all-proxy-models</c> (everything). A key
/// must pass its own list and its team's; a key without a team passes its user's instead (LiteLLM's
/// <c>common_checks</c> checks the user's list only for personal keys). An entry with <c>*</c> is a pattern
/// (<c>openai/*</c> also admits a bare <c>gpt-4o</c>, whose provider LiteLLM infers), and an alias
/// passes when either it or the group it serves is listed. A listed name that is a
/// <c>model_info.access_groups</c> entry allows every model name carrying it (LiteLLM's model access groups).
/// </summary>
internal static class ModelAccess
{
    public static GatewayError? Check(Caller caller, Accounts accounts, AccessGroups groups, ModelGroup group) =>
        Check(caller, accounts, groups, group.Name, group.AliasOf);

    public static GatewayError? Check(Caller caller, Accounts accounts, AccessGroups groups, string model, string? aliasOf = null)
    {
        if (caller.Key is not { } account)
            return null;
        var key = account.Settings;
        if (!Allows(key.Models, groups, model, aliasOf))
            return Denied("key", key.Models, model);
        if (accounts.TeamOf(key) is { } team && !Allows(team.Settings.Models, groups, model, aliasOf))
            return Denied("team", team.Settings.Models, model);
        if (key.TeamId is null && accounts.UserOf(key) is { } user && !Allows(user.Settings.Models, groups, model, aliasOf))
            return Denied("user", user.Settings.Models, model);
        return null;
    }

    public static bool IsAllowed(Caller caller, Accounts accounts, AccessGroups groups, string model, string? aliasOf = null) =>
        Check(caller, accounts, groups, model, aliasOf) is null;

    private static bool Allows(ImmutableArray<string> models, AccessGroups groups, string model, string? aliasOf) =>
        Allows(models, groups, model) || (aliasOf is not null && Allows(models, groups, aliasOf));

    private static bool Allows(ImmutableArray<string> models, AccessGroups groups, string model)
    {
        if (models.IsDefaultOrEmpty)
            return true;
        foreach (var allowed in models)
        {
            if (Matches(allowed, model))
                return true;
            // An access group's members are names too (a wildcard model_name among them is a pattern).
            if (groups.ModelsOf(allowed) is { } members)
            {
                foreach (var member in members)
                {
                    if (Matches(member, model))
                        return true;
                }
            }
        }
        return false;
    }

    private static bool Matches(string allowed, string model) =>
        string.Equals(allowed, model, StringComparison.Ordinal)
        || allowed is "all-proxy-models" or "all-team-models" or "*"
        || (allowed.Contains('*', StringComparison.Ordinal) && MatchesPattern(allowed, model));

    private static bool MatchesPattern(string pattern, string model)
    {
        if (ModelPattern.IsMatch(pattern, model))
            return true;
        if (model.Contains('/', StringComparison.Ordinal) || Providers.ProviderInference.LitellmProvider(model) is not { } provider)
            return false;
        var length = provider.Length + 1 + model.Length;
        if (length > 512)
            return false;
        Span<char> qualified = stackalloc char[length];
        provider.AsSpan().CopyTo(qualified);
        qualified[provider.Length] = '/';
        model.AsSpan().CopyTo(qualified[(provider.Length + 1)..]);
        return ModelPattern.IsMatch(pattern, qualified);
    }

    private static GatewayError Denied(string who, ImmutableArray<string> models, string model) => new(401,
        $"{who} not allowed to access model. This {who} can only access models=[{string.Join(", ", models.Select(m => $"'{m}'"))}]. Tried to access {model}",
        "key_model_access_denied", "401", "model");
}
