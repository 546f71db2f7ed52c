using EdgeGw.Auth;

namespace EdgeGw.Api.Responses;

/// <summary>
/// Who may see a stored response: the key that created it, another key of the same team, and the
/// master key. Everyone else is told it does not exist (404), so ids cannot be probed.
/// </summary>
internal static class ResponseAccess
{
    public static string? KeyHashOf(Caller caller) => caller.Kind == CallerKind.VirtualKey ? caller.Token : null;

    public static string? TeamOf(Caller caller) => caller.Key?.Settings.TeamId;

    public static bool CanSee(StoredResponse response, Caller caller) => caller.Kind switch
    {
        CallerKind.Master => true,
        // No master key configured: no keys exist, every caller is the same anonymous one.
        CallerKind.Anonymous => response.KeyHash is null,
        _ => string.Equals(response.KeyHash, caller.Token, StringComparison.Ordinal)
            || (response.TeamId is not null && string.Equals(response.TeamId, TeamOf(caller), StringComparison.Ordinal)),
    };

    public static GatewayError NotFound(string id) =>
        new(404, $"Response with id '{id}' not found.", "invalid_request_error", null, "response_id");
}
