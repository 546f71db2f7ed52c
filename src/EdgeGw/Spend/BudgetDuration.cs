using System.Globalization;

namespace EdgeGw.Spend;

/// <summary>
/// LiteLLM's duration strings: a positive whole number and a unit, <c>s</c>, <c>m</c>, <c>h</c>,
/// <c>d</c>, <c>w</c> or <c>mo</c> (calendar months), e.g. <c>30d</c>, <c>1mo</c>. Used for
/// <c>budget_duration</c> and for a key's <c>duration</c> (expiry).
/// </summary>
internal sealed record BudgetDuration(int Amount, BudgetDurationUnit Unit, string Text)
{
    public static bool TryParse(string? text, out BudgetDuration duration)
    {
        duration = null!;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        var s = text.Trim();
        var digits = 0;
        while (digits < s.Length && char.IsAsciiDigit(s[digits]))
            digits++;
        if (digits == 0 || !int.TryParse(s.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
            return false;
        BudgetDurationUnit? unit = s[digits..] switch
        {
            "s" => BudgetDurationUnit.Second,
            "m" => BudgetDurationUnit.Minute,
            "h" => BudgetDurationUnit.Hour,
            "d" => BudgetDurationUnit.Day,
            "w" => BudgetDurationUnit.Week,
            "mo" => BudgetDurationUnit.Month,
            _ => null,
        };
        if (unit is null)
            return false;
        duration = new BudgetDuration(amount, unit.Value, s);
        return true;
    }

    public const string Expected = "a duration like 30s, 15m, 24h, 7d, 2w or 1mo";

    public DateTimeOffset After(DateTimeOffset from) => Unit switch
    {
        BudgetDurationUnit.Month => from.AddMonths(Amount),
        _ => from + FixedLength,
    };

    private TimeSpan FixedLength => Unit switch
    {
        BudgetDurationUnit.Second => TimeSpan.FromSeconds(Amount),
        BudgetDurationUnit.Minute => TimeSpan.FromMinutes(Amount),
        BudgetDurationUnit.Hour => TimeSpan.FromHours(Amount),
        BudgetDurationUnit.Day => TimeSpan.FromDays(Amount),
        BudgetDurationUnit.Week => TimeSpan.FromDays(7 * Amount),
        _ => throw new InvalidOperationException("months have no fixed length"),
    };

    /// <summary>
    /// The first reset strictly after <paramref name="now"/> on the grid that started at
    /// <paramref name="due"/>: windows keep their phase (a daily budget created at 09:00 resets at
    /// 09:00) however long the gateway was idle.
    /// </summary>
    public DateTimeOffset NextReset(DateTimeOffset due, DateTimeOffset now)
    {
        if (due > now)
            return due;
        if (Unit == BudgetDurationUnit.Month)
        {
            var next = due;
            var step = 0;
            while (next <= now)
                next = due.AddMonths(Amount * ++step);
            return next;
        }
        var length = FixedLength.Ticks;
        var periods = (now - due).Ticks / length + 1;
        return due + TimeSpan.FromTicks(periods * length);
    }
}

internal enum BudgetDurationUnit
{
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
}
