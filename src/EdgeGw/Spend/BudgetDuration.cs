using System.Globalization;

namespace EdgeGw.Spend;

/// <summary>
/// LiteLLM's duration strings: a positive whole number and a unit, <c>s</c>, <c>m</c>, <c>h</c>,
/// <c>d</c>, <c>w</c> or <c>mo</c> (calendar months), e.g. <c>30d</c>, <c>1mo</c>, or one of the
/// words <c>hourly</c>, <c>daily</c>, <c>weekly</c>, <c>monthly</c> (LiteLLM reads them as
/// <c>1h</c>, <c>24h</c>, <c>7d</c>, <c>30d</c>). Used for <c>budget_duration</c> (see
/// <see cref="NextReset"/>) and for a key's <c>duration</c> (expiry, <see cref="After"/>).
/// </summary>
internal sealed record BudgetDuration(int Amount, BudgetDurationUnit Unit, string Text)
{
    public static bool TryParse(string? text, out BudgetDuration duration)
    {
        duration = null!;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        var s = text.Trim();
        (int, BudgetDurationUnit)? word = s.ToLowerInvariant() switch
        {
            "hourly" => (1, BudgetDurationUnit.Hour),
            "daily" => (24, BudgetDurationUnit.Hour),
            "weekly" => (7, BudgetDurationUnit.Day),
            "monthly" => (30, BudgetDurationUnit.Day),
            _ => null,
        };
        if (word is var (wordAmount, wordUnit))
        {
            duration = new BudgetDuration(wordAmount, wordUnit, s);
            return true;
        }
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
        if (unit is null || amount > MaxAmount(unit.Value))
            return false;
        duration = new BudgetDuration(amount, unit.Value, s);
        return true;
    }

    // Bounded so that expiries and resets stay far inside DateTimeOffset's range (year 9999).
    private const int MaxDays = 100 * 366;

    private static long MaxAmount(BudgetDurationUnit unit) => unit switch
    {
        BudgetDurationUnit.Second => MaxDays * 86_400L,
        BudgetDurationUnit.Minute => MaxDays * 1_440L,
        BudgetDurationUnit.Hour => MaxDays * 24L,
        BudgetDurationUnit.Day => MaxDays,
        BudgetDurationUnit.Week => MaxDays / 7,
        _ => 100 * 12,
    };

    public const string Expected = "a duration like 30s, 15m, 24h, 7d, 2w or 1mo (at most 100 years), or hourly, daily, weekly or monthly";

    /// <summary>Why this duration cannot be a budget window, or null. LiteLLM resets monthly budgets on the 1st, one month at a time.</summary>
    public string? BudgetProblem => Unit == BudgetDurationUnit.Month && Amount != 1
        ? "budgets reset on the 1st of each month: use 1mo (or 30d, monthly)"
        : null;

    /// <summary>The instant one duration after <paramref name="from"/>: a key's expiry.</summary>
    public DateTimeOffset After(DateTimeOffset from) => Unit switch
    {
        BudgetDurationUnit.Month => from.AddMonths(Amount),
        BudgetDurationUnit.Second => from.AddSeconds(Amount),
        BudgetDurationUnit.Minute => from.AddMinutes(Amount),
        BudgetDurationUnit.Hour => from.AddHours(Amount),
        BudgetDurationUnit.Day => from.AddDays(Amount),
        _ => from.AddDays(7.0 * Amount),
    };

    /// <summary>
    /// The next budget reset strictly after <paramref name="now"/>, on the calendar of
    /// <paramref name="clock"/>'s time zone, as LiteLLM's <c>get_next_standardized_reset_time</c>:
    /// <c>Ns</c>/<c>Nm</c>/<c>Nh</c> on multiples of N within the minute/hour/day; <c>1d</c> at the
    /// next reset time of day (midnight by default); <c>7d</c>/<c>1w</c> on Monday; <c>30d</c>/<c>1mo</c>
    /// on the 1st of the month; any other N days (or weeks) N days after today's midnight.
    /// </summary>
    public DateTimeOffset NextReset(DateTimeOffset now, BudgetClock clock)
    {
        var local = TimeZoneInfo.ConvertTime(now, clock.Zone).DateTime;
        var midnight = local.Date;
        var wall = Unit switch
        {
            BudgetDurationUnit.Second => Step(local.Date.AddHours(local.Hour).AddMinutes(local.Minute), local.Second, TimeSpan.FromSeconds(1)),
            BudgetDurationUnit.Minute => Step(local.Date.AddHours(local.Hour), local.Minute, TimeSpan.FromMinutes(1)),
            BudgetDurationUnit.Hour => Step(midnight, local.Hour, TimeSpan.FromHours(1)),
            BudgetDurationUnit.Day => Days(Amount, local, clock.ResetTimeOfDay),
            BudgetDurationUnit.Week => Days(7 * Amount, local, clock.ResetTimeOfDay),
            _ => FirstOfMonth(local, Amount, clock.ResetTimeOfDay),
        };
        return clock.Instant(wall);
    }

    // The next multiple of Amount units after the current one, counted from the enclosing minute/hour/day.
    private DateTime Step(DateTime start, int current, TimeSpan unit) => start + unit * ((current / Amount + 1) * (long)Amount);

    private static DateTime Days(int days, DateTime local, TimeSpan at)
    {
        var midnight = local.Date;
        return days switch
        {
            1 => Upcoming(midnight + at, local, TimeSpan.FromDays(1)),
            7 => Upcoming(midnight.AddDays(((int)DayOfWeek.Monday - (int)local.DayOfWeek + 7) % 7) + at, local, TimeSpan.FromDays(7)),
            30 => FirstOfMonth(local, 1, at),
            _ => midnight.AddDays(days) + at,
        };
    }

    private static DateTime Upcoming(DateTime candidate, DateTime local, TimeSpan period) => candidate <= local ? candidate + period : candidate;

    private static DateTime FirstOfMonth(DateTime local, int months, TimeSpan at)
    {
        var first = new DateTime(local.Year, local.Month, 1) + at;
        return first <= local ? first.AddMonths(months) : first;
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
