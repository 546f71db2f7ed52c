using EdgeGw.Auth;

namespace EdgeGw.Api.Admin;

/// <summary>
/// Whose data a read may show. The master key sees everyone's; a virtual key that belongs to a user
/// sees that user's only (LiteLLM's internal user on <c>/user/daily/activity</c>); any other key, nothing.
/// </summary>
internal static class AdminScope
{
    // Typed as the dispatcher's admin-only refusal (LiteLLM's auth_error).
    private const string Refused = "auth_error";

    /// <summary>Null for the master key (no restriction); otherwise the caller's own user id, or 403.</summary>
    public static string? OwnUser(HttpContext context)
    {
        var caller = Caller.Of(context);
        if (caller.IsMaster)
            return null;
        return caller.Key?.Settings.UserId
            ?? throw new AdminInputException("user_id", "Only the master key, or a key that belongs to a user (for that user's own data), may read this", 403, Refused);
    }

    /// <summary>The user a read is for: the caller's own, or (master key only) the one asked for; a key asking for another user is 403.</summary>
    public static string? User(HttpContext context, string? requested)
    {
        var own = OwnUser(context);
        if (own is not null && requested is not null && requested != own)
            throw new AdminInputException("user_id", "A key may only read its own user's data", 403, Refused);
        return own ?? requested;
    }
}
