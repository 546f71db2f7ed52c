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
    public void ConcurrentReservations_AdmitWhileSpendPlusReservedIsUnderTheBudget()
    {
        for (var round = 0; round < 50; round++)
        {
            var counter = new SpendCounter(nanos: 200);
            var admitted = 0;
            using var start = new Barrier(40);
            var threads = Enumerable.Range(0, 40).Select(_ => new Thread(() =>
            {
                start.SignalAndWait();
                if (counter.TryReserve(100, maxNanos: 1_000))
                    Interlocked.Increment(ref admitted);
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());

            Assert.Equal(8, admitted); // 200 spent + 8 × 100 reserved reaches 1,000
            Assert.Equal(800, counter.ReservedNanos);
        }
    }

    [Fact]
    public void ChargeThenRelease_LeavesOnlyTheActualCost()
    {
        var counter = new SpendCounter();
        Assert.True(counter.TryReserve(500, maxNanos: 1_000));
        Assert.True(counter.TryReserve(500, maxNanos: 1_000));
        Assert.False(counter.TryReserve(1, maxNanos: 1_000));

        counter.Add(120);
        counter.Release(500);

        Assert.Equal(120, counter.Nanos);
        Assert.Equal(500, counter.ReservedNanos);
        Assert.True(counter.TryReserve(500, maxNanos: 1_000));
    }

    [Fact]
    public void WindowReset_ClearsSpendButKeepsReservationsInFlight()
    {
        BudgetDuration.TryParse("1d", out var day);
        var counter = new SpendCounter(nanos: 900);
        counter.ResetIfDue(day, T0, BudgetClock.Utc);
        Assert.True(counter.TryReserve(300, maxNanos: 1_000));

        counter.ResetIfDue(day, T0.AddDays(1), BudgetClock.Utc);

        Assert.Equal(0, counter.Nanos);
        Assert.Equal(300, counter.ReservedNanos);
        counter.Set(nanos: 50, day, durationChanged: false, T0.AddDays(1), BudgetClock.Utc);
        Assert.Equal(300, counter.ReservedNanos);
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
