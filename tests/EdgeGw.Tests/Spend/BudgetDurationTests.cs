using System.Globalization;
using EdgeGw.Spend;

namespace EdgeGw.Tests.Spend;

public sealed class BudgetDurationTests
{
    private static class U
    {
        public const int Second = 0, Minute = 1, Hour = 2, Day = 3, Week = 4, Month = 5;
    }

    private static readonly DateTimeOffset Start = new(2026, 1, 31, 12, 0, 0, TimeSpan.Zero);

    private static BudgetDuration Parse(string text)
    {
        Assert.True(BudgetDuration.TryParse(text, out var d), text);
        return d;
    }

    private static DateTimeOffset Utc(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static string NextReset(string duration, string nowUtc, BudgetClock? clock = null) =>
        Parse(duration).NextReset(Utc(nowUtc), clock ?? BudgetClock.Utc).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static BudgetClock Zone(string name) =>
        new(BudgetClock.FindZone(name) ?? throw new InvalidOperationException($"{name} is not in this machine's tz database"), TimeSpan.Zero);

    [Theory]
    [InlineData("30s", 30, U.Second)]
    [InlineData("15m", 15, U.Minute)]
    [InlineData("24h", 24, U.Hour)]
    [InlineData("7d", 7, U.Day)]
    [InlineData("2w", 2, U.Week)]
    [InlineData("1mo", 1, U.Month)]
    [InlineData("hourly", 1, U.Hour)]
    [InlineData("daily", 24, U.Hour)]
    [InlineData("weekly", 7, U.Day)]
    [InlineData("monthly", 30, U.Day)]
    [InlineData("Monthly", 30, U.Day)]
    public void LiteLlmSpellings_Parse(string text, int amount, int unit)
    {
        var d = Parse(text);
        Assert.Equal(amount, d.Amount);
        Assert.Equal((BudgetDurationUnit)unit, d.Unit);
        Assert.Equal(text, d.Text);
    }

    [Theory]
    [InlineData("")]
    [InlineData("d")]
    [InlineData("0d")]
    [InlineData("-1d")]
    [InlineData("1y")]
    [InlineData("1.5h")]
    [InlineData("1 d")]
    [InlineData("99999999999d")]
    [InlineData("fortnightly")]
    public void Malformed_IsRejected(string text) => Assert.False(BudgetDuration.TryParse(text, out _));

    [Fact]
    public void MonthsOtherThanOne_AreNotABudgetWindow()
    {
        Assert.NotNull(Parse("2mo").BudgetProblem);
        Assert.Null(Parse("1mo").BudgetProblem);
        Assert.Null(Parse("monthly").BudgetProblem);
    }

    [Fact]
    public void KeyExpiry_AddsCalendarMonths() =>
        Assert.Equal(new DateTimeOffset(2026, 2, 28, 12, 0, 0, TimeSpan.Zero), Parse("1mo").After(Start));

    [Fact]
    public void KeyExpiryMonthlyWord_IsThirtyDays() =>
        Assert.Equal(Start.AddDays(30), Parse("monthly").After(Start));

    // 2026-01-31 is a Saturday.
    [Theory]
    [InlineData("1d", "2026-01-31T12:00:00Z", "2026-02-01T00:00:00Z")]
    [InlineData("daily", "2026-01-31T12:00:00Z", "2026-02-01T00:00:00Z")]
    [InlineData("24h", "2026-01-31T00:30:00Z", "2026-02-01T00:00:00Z")]
    [InlineData("1d", "2026-02-01T00:00:00Z", "2026-02-02T00:00:00Z")]
    [InlineData("7d", "2026-01-31T12:00:00Z", "2026-02-02T00:00:00Z")]
    [InlineData("weekly", "2026-01-31T12:00:00Z", "2026-02-02T00:00:00Z")]
    [InlineData("1w", "2026-01-31T12:00:00Z", "2026-02-02T00:00:00Z")]
    [InlineData("weekly", "2026-02-02T00:00:00Z", "2026-02-09T00:00:00Z")]
    [InlineData("30d", "2026-01-31T12:00:00Z", "2026-02-01T00:00:00Z")]
    [InlineData("monthly", "2026-01-31T12:00:00Z", "2026-02-01T00:00:00Z")]
    [InlineData("1mo", "2026-12-15T08:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("1mo", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z")]
    [InlineData("2d", "2026-01-31T12:00:00Z", "2026-02-02T00:00:00Z")]
    [InlineData("2w", "2026-01-31T12:00:00Z", "2026-02-14T00:00:00Z")]
    [InlineData("6h", "2026-01-31T13:10:00Z", "2026-01-31T18:00:00Z")]
    [InlineData("6h", "2026-01-31T18:00:00Z", "2026-02-01T00:00:00Z")]
    [InlineData("hourly", "2026-01-31T13:10:00Z", "2026-01-31T14:00:00Z")]
    [InlineData("30h", "2026-01-31T10:00:00Z", "2026-02-01T06:00:00Z")]
    [InlineData("15m", "2026-01-31T13:10:00Z", "2026-01-31T13:15:00Z")]
    [InlineData("15m", "2026-01-31T23:59:00Z", "2026-02-01T00:00:00Z")]
    [InlineData("30s", "2026-01-31T13:10:45Z", "2026-01-31T13:11:00Z")]
    public void BudgetReset_FallsOnLiteLlmsCalendarBoundaries(string duration, string now, string expected) =>
        Assert.Equal(expected, NextReset(duration, now));

    [Fact]
    public void DailyReset_InNewYork_IsLocalMidnightAcrossTheDstChange()
    {
        var newYork = Zone("America/New_York");
        // 23:00 EST on 7 March; DST starts at 02:00 on 8 March 2026.
        Assert.Equal("2026-03-08T05:00:00Z", NextReset("1d", "2026-03-08T04:00:00Z", newYork));
        Assert.Equal("2026-03-09T04:00:00Z", NextReset("1d", "2026-03-08T05:00:00Z", newYork));
    }

    [Fact]
    public void MonthlyReset_InKolkata_IsTheFirstAtLocalMidnight() =>
        // 01:30 IST on 1 February: the next 1st is 1 March 00:00 IST.
        Assert.Equal("2026-02-28T18:30:00Z", NextReset("monthly", "2026-01-31T20:00:00Z", Zone("Asia/Kolkata")));

    [Fact]
    public void LegacyZoneAlias_Resolves() =>
        Assert.Equal("2026-02-01T05:00:00Z", NextReset("daily", "2026-01-31T12:00:00Z", Zone("US/Eastern")));

    [Fact]
    public void ResetTimeOfDay_MovesDailyWeeklyAndMonthlyResets()
    {
        var noon = new BudgetClock(TimeZoneInfo.Utc, TimeSpan.FromHours(12));
        Assert.Equal("2026-01-31T12:00:00Z", NextReset("1d", "2026-01-31T10:00:00Z", noon));
        Assert.Equal("2026-02-01T12:00:00Z", NextReset("1d", "2026-01-31T12:00:00Z", noon));
        Assert.Equal("2026-02-02T12:00:00Z", NextReset("weekly", "2026-01-31T12:00:00Z", noon));
        Assert.Equal("2026-02-01T12:00:00Z", NextReset("1mo", "2026-01-31T12:00:00Z", noon));
        // daily is 24h to LiteLLM: an hour count, which ignores the time of day.
        Assert.Equal("2026-02-01T00:00:00Z", NextReset("daily", "2026-01-31T10:00:00Z", noon));
    }

    [Fact]
    public void UnknownZone_IsNotFound() => Assert.Null(BudgetClock.FindZone("Mars/Olympus_Mons"));
}
