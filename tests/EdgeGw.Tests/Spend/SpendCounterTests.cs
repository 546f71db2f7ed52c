using EdgeGw.Spend;

namespace EdgeGw.Tests.Spend;

public sealed class SpendCounterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ConcurrentAdds_AreExact()
    {
        var counter = new SpendCounter();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
                counter.Add(7);
        })));
        Assert.Equal(8 * 10_000 * 7, counter.Nanos);
        Assert.Equal(80_000, counter.Sequence);
    }

    [Fact]
    public void FirstCheck_StartsTheWindowWithoutClearingSpend()
    {
        BudgetDuration.TryParse("1d", out var day);
        var counter = new SpendCounter(nanos: 5);
        var state = counter.ResetIfDue(day, T0, BudgetClock.Utc);
        Assert.Equal(5, counter.Nanos);
        Assert.Equal(T0.AddDays(1).ToUnixTimeMilliseconds(), state!.Value.ResetAtMs);
    }

    [Fact]
    public void DueWindow_ClearsSpendOnce()
    {
        BudgetDuration.TryParse("1d", out var day);
        var counter = new SpendCounter(nanos: 5, resetAtMs: T0.ToUnixTimeMilliseconds());
        Assert.NotNull(counter.ResetIfDue(day, T0, BudgetClock.Utc));
        counter.Add(3);
        Assert.Null(counter.ResetIfDue(day, T0, BudgetClock.Utc));
        Assert.Equal(3, counter.Nanos);
    }

    [Fact]
    public void NoDuration_NeverResets()
    {
        var counter = new SpendCounter(nanos: 5, resetAtMs: 1);
        Assert.Null(counter.ResetIfDue(null, T0, BudgetClock.Utc));
        Assert.Equal(5, counter.Nanos);
    }
}
