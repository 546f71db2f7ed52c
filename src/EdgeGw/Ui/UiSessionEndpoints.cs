using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Api.Admin;

namespace EdgeGw.Ui;

/// <summary>
/// <c>POST /ui/login</c>, <c>GET /ui/session</c>, <c>POST /ui/logout</c>: the JSON session API of the
/// admin UI. A session's answer is <c>{"user_id","user_role","csrf_token","expires_at"}</c>; the token
/// itself travels only in the HttpOnly cookie, and the master key never leaves the server.
/// </summary>
internal static class UiSessionEndpoints
{
    public static readonly GatewayError Disabled = new(403,
        "Admin UI is disabled (DISABLE_ADMIN_UI=True): UI login is refused. Use the admin API with the master key, or set DISABLE_ADMIN_UI=False and restart.",
        "auth_error", "403");

    // LiteLLM's words for a wrong username or password.
    public static readonly GatewayError WrongCredentials = new(401,
        "Invalid credentials used to access UI.\nCheck 'UI_USERNAME', 'UI_PASSWORD' in .env file", "auth_error", "401", "invalid_credentials");

    public static async Task LoginAsync(HttpContext context, GatewayState state)
    {
        Prepare(context);
        var ui = state.Ui;
        if (ui.Disabled)
        {
            await ErrorWriter.WriteOpenAiAsync(context, Disabled);
            return;
        }
        var client = context.Connection.RemoteIpAddress;
        if (ui.Guard.Logins.RetryAfter(client) is { } wait)
        {
            await ErrorWriter.WriteOpenAiAsync(context, TooManyAttempts(wait));
            return;
        }
        string username, password;
        try
        {
            using var input = await AdminInput.ReadAsync(context, state.Config.General.MaxRequestSizeBytes);
            username = input.RequiredString("username");
            password = input.RequiredString("password");
        }
        catch (AdminInputException e)
        {
            await ErrorWriter.WriteOpenAiAsync(context, e.ToError());
            return;
        }
        if (!ui.Credentials.Match(username, password))
        {
            ui.Guard.Logins.Failed(client);
            await ErrorWriter.WriteOpenAiAsync(context, WrongCredentials);
            return;
        }
        ui.Guard.Logins.Succeeded(client);
        var (token, session) = ui.Sessions.Issue(UiSession.AdminUserId, UiRole.ProxyAdmin);
        UiCookie.Set(context, token, session.Expires, state.Time.GetUtcNow());
        await WriteSessionAsync(context, ui.Sessions, session);
    }

    public static Task SessionAsync(HttpContext context, GatewayState state)
    {
        Prepare(context);
        var ui = state.Ui;
        return !ui.Disabled && ui.Sessions.TryRead(context.Request, out var session)
            ? WriteSessionAsync(context, ui.Sessions, session)
            : ErrorWriter.WriteOpenAiAsync(context, UiSessions.InvalidSession);
    }

    /// <summary>Always clears the cookie; a valid session is also revoked here, so a copy of the cookie stops working too.</summary>
    public static async Task LogoutAsync(HttpContext context, GatewayState state)
    {
        Prepare(context);
        try
        {
            // No fields are read, but a body that is sent must be JSON, as on every other POST.
            using var input = await AdminInput.ReadAsync(context, state.Config.General.MaxRequestSizeBytes);
        }
        catch (AdminInputException e)
        {
            await ErrorWriter.WriteOpenAiAsync(context, e.ToError());
            return;
        }
        var sessions = state.Ui.Sessions;
        if (sessions.TryRead(context.Request, out var session))
            sessions.Revoke(session);
        UiCookie.Clear(context);
        await AdminOutput.WriteAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteString("message", "Logged out");
            json.WriteEndObject();
        });
    }

    private static GatewayError TooManyAttempts(int seconds) => new(429,
        $"Too many failed UI logins from this address: try again in {seconds} s.", "rate_limit_error", "429") { RetryAfterSeconds = seconds };

    private static void Prepare(HttpContext context)
    {
        UiHeaders.Apply(context.Response);
        context.Response.Headers.CacheControl = UiHeaders.NoStore;
    }

    private static Task WriteSessionAsync(HttpContext context, UiSessions sessions, UiSession session)
    {
        var csrf = sessions.CsrfToken(session);
        return AdminOutput.WriteAsync(context, json => Write(json, session, csrf));
    }

    private static void Write(Utf8JsonWriter json, UiSession session, string csrf)
    {
        json.WriteStartObject();
        json.WriteString("user_id", session.UserId);
        json.WriteString("user_role", session.RoleName);
        json.WriteString("csrf_token", csrf);
        AdminOutput.Time(json, "expires_at", session.Expires);
        json.WriteEndObject();
    }
}
