using EdgeGw.Spend;

namespace EdgeGw.Auth;

/// <summary>A key, team or user in the request-time cache: its current settings and its live spend.</summary>
internal class Account<T>(T settings, SpendCounter spend) where T : AccountSettings
{
    private T _settings = settings;

    public T Settings
    {
        get => Volatile.Read(ref _settings);
        set => Volatile.Write(ref _settings, value);
    }

    public SpendCounter Spend { get; } = spend;

    /// <summary>The account's rate and parallel limits, kept across settings updates.</summary>
    public Limits.EntityLimits Limits { get; } = new(EdgeGw.Limits.AccountLimits.Scope(settings), EdgeGw.Limits.AccountLimits.Name(settings), EdgeGw.Limits.AccountLimits.Id(settings));
}

/// <summary>A virtual key's account, with the <see cref="Caller"/> that requests using it share.</summary>
internal sealed class KeyAccount : Account<KeySettings>
{
    public KeyAccount(KeySettings settings, SpendCounter spend) : base(settings, spend) =>
        Caller = new Caller(CallerKind.VirtualKey, this);

    public Caller Caller { get; }
}
