using System.Text;
using EdgeGw.Config;
using EdgeGw.Crypto;
using EdgeGw.Spend;

namespace EdgeGw.Ui;

/// <summary>
/// The admin UI as one config sets it, from LiteLLM's environment variables: <c>DISABLE_ADMIN_UI</c>,
/// <c>UI_USERNAME</c>/<c>UI_PASSWORD</c>, <c>LITELLM_UI_SESSION_DURATION</c> (default 24h). Session keys
/// are derived (HKDF-SHA256) from the master key, <c>LITELLM_SALT_KEY</c> and the UI credentials: every
/// replica with the same settings accepts a session, and changing any of them ends all sessions.
/// </summary>
internal sealed class UiSettings
{
    public static readonly BudgetDuration DefaultLifetime = new(24, BudgetDurationUnit.Hour, "24h");

    private UiSettings(bool disabled, UiCredentials credentials, UiSessions sessions, UiGuard guard)
    {
        Disabled = disabled;
        Credentials = credentials;
        Sessions = sessions;
        Guard = guard;
    }

    /// <summary><c>DISABLE_ADMIN_UI=True</c>: /ui shows LiteLLM's "disabled" page, logins are refused and session cookies ignored.</summary>
    public bool Disabled { get; }
    public UiCredentials Credentials { get; }
    public UiSessions Sessions { get; }
    public UiGuard Guard { get; }

    public static UiSettings From(GatewayConfig config, UiGuard guard, TimeProvider time)
    {
        var env = config.Environment;
        var username = env("UI_USERNAME") ?? UiCredentials.DefaultUsername;
        var password = env("UI_PASSWORD") ?? config.General.MasterKey;
        var lifetime = BudgetDuration.TryParse(env("LITELLM_UI_SESSION_DURATION"), out var d) ? d : DefaultLifetime;
        var ikm = Encoding.UTF8.GetBytes(config.General.MasterKey);
        var salt = Sodium.Sha256([.. Hash(env("LITELLM_SALT_KEY") ?? ""), .. Hash(username), .. Hash(password)]);
        var signing = Sodium.HkdfSha256(ikm, 32, salt, "edgegw-ui-session-v1"u8);
        var csrf = Sodium.HkdfSha256(ikm, 32, salt, "edgegw-ui-csrf-v1"u8);
        return new UiSettings(EnvFlag.IsTrue(env("DISABLE_ADMIN_UI")), new UiCredentials(username, password),
            new UiSessions(signing, csrf, lifetime, guard.Revoked, time), guard);
    }

    private static byte[] Hash(string text) => Sodium.Sha256(Encoding.UTF8.GetBytes(text));
}
