namespace EdgeGw.Spend;

/// <summary>
/// The calendar budget resets fall on: <c>litellm_settings.timezone</c> (an IANA name, default UTC)
/// and <c>litellm_settings.budget_reset_time</c> (the time of day daily, weekly and monthly budgets
/// reset at, default midnight).
/// </summary>
internal sealed record BudgetClock(TimeZoneInfo Zone, TimeSpan ResetTimeOfDay)
{
    public static readonly BudgetClock Utc = new(TimeZoneInfo.Utc, TimeSpan.Zero);

    /// <summary>
    /// An IANA zone from the system's tz database (<c>/usr/share/zoneinfo</c>, or <c>TZDIR</c>; the
    /// distroless image has it). ICU is not needed for IANA names, only for Windows ones.
    /// </summary>
    public static TimeZoneInfo? FindZone(string name)
    {
        if (name is "UTC" or "utc" or "Etc/UTC" or "Z")
            return TimeZoneInfo.Utc;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(name);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// The instant a wall-clock time in <see cref="Zone"/> names. Like Python's default (fold=0): an
    /// ambiguous time is its first occurrence, a time skipped by a DST change uses the offset before it.
    /// </summary>
    public DateTimeOffset Instant(DateTime wall)
    {
        wall = DateTime.SpecifyKind(wall, DateTimeKind.Unspecified);
        TimeSpan offset;
        if (Zone.IsAmbiguousTime(wall))
            offset = Zone.GetAmbiguousTimeOffsets(wall).Max();
        else if (Zone.IsInvalidTime(wall))
            offset = Zone.GetUtcOffset(wall.AddDays(-1));
        else
            offset = Zone.GetUtcOffset(wall);
        return new DateTimeOffset(wall, offset);
    }
}
