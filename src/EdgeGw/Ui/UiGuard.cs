namespace EdgeGw.Ui;

/// <summary>The UI's process-wide state, kept across config reloads: failed-login counts and logged-out sessions.</summary>
internal sealed class UiGuard(TimeProvider time)
{
    public LoginThrottle Logins { get; } = new(time);
    public SessionRevocations Revoked { get; } = new(time);
}
