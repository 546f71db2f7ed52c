using EdgeGw.Config;
using EdgeGw.Tests.Infrastructure;
using EdgeGw.Ui;
using Microsoft.AspNetCore.Http;

namespace EdgeGw.Tests.Ui;

/// <summary>Session keys come from the settings alone: replicas share sessions, a changed master key or UI password ends them.</summary>
public sealed class UiSessionKeyTests
{
    private static UiSettings Settings(string masterKey, string environment = "")
    {
        var config = ConfigLoader.Parse($"""
            model_list: []
            general_settings:
              master_key: {masterKey}
            {environment}
            """, _ => null);
        var time = new FakeTime();
        return UiSettings.From(config, new UiGuard(time), time);
    }

    private static bool Accepts(UiSettings settings, string token)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Cookie = $"{UiSessions.CookieName}={token}";
        return settings.Sessions.TryRead(context.Request, out _);
    }

    [Fact]
    public void SameSettingsOnAnotherReplica_AcceptsTheSession()
    {
        var (token, _) = Settings("sk-master-1").Sessions.Issue(UiSession.AdminUserId, UiRole.ProxyAdmin);
        Assert.True(Accepts(Settings("sk-master-1"), token));
    }

    [Theory]
    [InlineData("sk-master-2", "")]
    [InlineData("sk-master-1", "environment_variables: { UI_PASSWORD: changed }")]
    [InlineData("sk-master-1", "environment_variables: { LITELLM_SALT_KEY: sk-salt }")]
    public void ChangedMasterKeyPasswordOrSalt_EndsTheSession(string masterKey, string environment)
    {
        var (token, _) = Settings("sk-master-1").Sessions.Issue(UiSession.AdminUserId, UiRole.ProxyAdmin);
        Assert.False(Accepts(Settings(masterKey, environment), token));
    }

    [Fact]
    public void CsrfToken_BelongsToItsSession()
    {
        var sessions = Settings("sk-master-1").Sessions;
        var (_, one) = sessions.Issue(UiSession.AdminUserId, UiRole.ProxyAdmin);
        var (_, two) = sessions.Issue(UiSession.AdminUserId, UiRole.ProxyAdmin);

        Assert.True(sessions.CsrfMatches(one, sessions.CsrfToken(one)));
        Assert.False(sessions.CsrfMatches(one, sessions.CsrfToken(two)));
        Assert.False(sessions.CsrfMatches(one, ""));
        Assert.False(sessions.CsrfMatches(one, "%%%"));
    }
}
