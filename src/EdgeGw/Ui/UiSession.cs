namespace EdgeGw.Ui;

/// <summary>LiteLLM's UI roles; only the admin logs in to EdgeGw's UI so far.</summary>
internal enum UiRole : byte
{
    ProxyAdmin = 1,
}

/// <summary>What a session token carries: a random id (CSRF and logout key on it), when it ends, and who it is.</summary>
internal readonly record struct UiSession(Guid Id, DateTimeOffset Expires, UiRole Role, string UserId)
{
    /// <summary>LiteLLM's <c>LITELLM_PROXY_ADMIN_NAME</c>: the user id of whoever logs in with UI_USERNAME/UI_PASSWORD.</summary>
    public const string AdminUserId = "default_user_id";

    /// <summary>The role as LiteLLM names it in <c>user_role</c>.</summary>
    public string RoleName => Role switch
    {
        UiRole.ProxyAdmin => "proxy_admin",
        _ => "internal_user",
    };
}
