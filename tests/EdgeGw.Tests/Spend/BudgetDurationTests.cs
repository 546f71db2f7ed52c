using EdgeGw.Spend;

namespace EdgeGw.Tests.Spend;

public sealed class BudgetDurationTests
{
    private static class U
    {
        public const int Second = 0, Minute = 1, Hour = 2, Day = 3, Week = 4, Month = 5;
    }

    private static readonly DateTimeOffset Start = new(2026, 1, 31, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("30s", 30, U.Second)]
    [InlineData("15m", 15, U.Minute)]
    [InlineData("24h", 24, U.Hour)]
    [InlineData("7d", 7, U.Day)]
    [InlineData("2w", 2, U.Week)]
    [InlineData("1mo", 1, U.Month)]
    public void LiteLlmUnits_Parse(string text, int amount, int unit)
    {
        Assert.True(BudgetDuration.TryParse(text, out var d));
        Assert.Equal(amount, d.Amount);
        Assert.Equal((BudgetDurationUnit)unit, d.Unit);
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
    public void Malformed_IsRejected(string text) => Assert.False(BudgetDuration.TryParse(text, out _));

    [Fact]
    public void Month_AddsCalendarMonths()
    {
        BudgetDuration.TryParse("1mo", out var month);
        Assert.Equal(new DateTimeOffset(2026, 2, 28, 12, 0, 0, TimeSpan.Zero), month.After(Start));
    }

    [Fact]
    public void NextReset_BeforeDue_IsDue()
    {
        BudgetDuration.TryParse("1d", out var day);
        Assert.Equal(Start, day.NextReset(Start, Start.AddHours(-1)));
    }

    [Fact]
    public void NextReset_ExactlyAtDue_IsOnePeriodLater()
    {
        BudgetDuration.TryParse("1d", out var day);
        Assert.Equal(Start.AddDays(1), day.NextReset(Start, Start));
    }

    [Fact]
    public void NextReset_AfterLongIdle_KeepsPhase()
    {
        BudgetDuration.TryParse("1h", out var hour);
        Assert.Equal(Start.AddHours(1000), hour.NextReset(Start, Start.AddHours(999).AddMinutes(30)));
    }

    [Fact]
    public void NextReset_Months_StepsFromTheFirstDueDate()
    {
        BudgetDuration.TryParse("1mo", out var month);
        Assert.Equal(new DateTimeOffset(2026, 4, 30, 12, 0, 0, TimeSpan.Zero), month.NextReset(Start, new DateTimeOffset(2026, 3, 31, 13, 0, 0, TimeSpan.Zero)));
    }
}
