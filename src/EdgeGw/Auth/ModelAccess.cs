using System.Collections.Immutable;
using EdgeGw.Api;

namespace EdgeGw.Auth;

/// <summary>
/// LiteLLM's model allowlists: an empty <c>models</c> list allows every model; a key's list may
/// say <c>all-team-models</c> (its team's list) or <c>all-proxy-models</c> (everything). A key
/// must pass its own list and its team's; a key without a team passes its user's instead (LiteLLM's
/// <c>common_checks</c> checks the user's list only for personal keys). An entry with <c>*</c> is a pattern
/// (<c>openai/*</c> also admits a bare <c>gpt-4o</c>, whose provider LiteLLM infers), and an alias
/// passes when either it or the group it serves is listed.
/// </summary>
internal static class ModelAccess
{
    public static GatewayError? Check(Caller caller, Accounts accounts, Routing.ModelGroup group) =>
        Check(caller, accounts, group.Name, group.AliasOf);

    public static GatewayError? Check(Caller caller, Accounts accounts, string model, string? aliasOf = null)
    {
        if (caller.Key is not { } account)
            return null;
        var key = account.Settings;
        if (!Allows(key.Models, model, aliasOf))
            return Denied("key", key.Models, model);
        if (accounts.TeamOf(key) is { } team && !Allows(team.Settings.Models, model, aliasOf))
            return Denied("team", team.Settings.Models, model);
        if (key.TeamId is null && accounts.UserOf(key) is { } user && !Allows(user.Settings.Models, model, aliasOf))
            return Denied("user", user.Settings.Models, model);
        return null;
    }

    public static bool IsAllowed(Caller caller, Accounts accounts, string model, string? aliasOf = null) =>
        Check(caller, accounts, model, aliasOf) is null;

    private static bool Allows(ImmutableArray<string> models, string model, string? aliasOf) =>
        Allows(models, model) || (aliasOf is not null && Allows(models, aliasOf));

    private static bool Allows(ImmutableArray<string> models, string model)
    {
        if (models.IsDefaultOrEmpty)
            return true;
        foreach (var allowed in models)
        {
            if (string.Equals(allowed, model, StringComparison.Ordinal)
                || allowed is "all-proxy-models" or "all-team-models" or "*"
                || (allowed.Contains('*', StringComparison.Ordinal) && MatchesPattern(allowed, model)))
                return true;
        }
        return false;
    }

    private static bool MatchesPattern(string pattern, string model)
    {
        if (Routing.ModelPattern.IsMatch(pattern, model))
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
        return Routing.ModelPattern.IsMatch(pattern, qualified);
    }

    private static GatewayError Denied(string who, ImmutableArray<string> models, string model) => new(401,
        $"{who} not allowed to access model. This {who} can only access models=[{string.Join(", ", models.Select(m => $"'{m}'"))}]. Tried to access {model}",
        "key_model_access_denied", "401", "model");
}
