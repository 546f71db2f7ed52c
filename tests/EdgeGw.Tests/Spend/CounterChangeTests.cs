using EdgeGw.Spend;

namespace EdgeGw.Tests.Spend;

/// <summary>What a counter's states say changed: what a database shared by replicas applies.</summary>
public sealed class CounterChangeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Add_CarriesTheAmountAdded()
    {
        var state = new SpendCounter(nanos: 100).Add(25);

        Assert.Equal((CounterChange.Added, 25L, 125L), (state.Change, state.AddedNanos, state.Nanos));
    }

    [Fact]
    public void WindowEnds_ResetCarriesTheEndItLeft_FirstWindowCarriesNone()
    {
        Assert.True(BudgetDuration.TryParse("1d", out var day));
        var counter = new SpendCounter(nanos: 500);

        var first = counter.ResetIfDue(day, T0, BudgetClock.Utc)!.Value;
        var second = counter.ResetIfDue(day, T0.AddDays(1).AddHours(1), BudgetClock.Utc)!.Value;

        Assert.Equal((CounterChange.Reset, 0L, 500L), (first.Change, first.ResetFromMs, first.Nanos));
        Assert.Equal((CounterChange.Reset, first.ResetAtMs, 0L), (second.Change, second.ResetFromMs, second.Nanos));
    }

    [Fact]
    public void AdminSet_SaysWhichOfSpendAndWindowItSet()
    {
        var counter = new SpendCounter(nanos: 500);

        var spendOnly = counter.Set(10, null, durationChanged: false, T0, BudgetClock.Utc);
        var windowOnly = counter.Set(null, null, durationChanged: true, T0, BudgetClock.Utc);

        Assert.Equal((CounterChange.Set, true, false), (spendOnly.Change, spendOnly.SetsSpend, spendOnly.SetsWindow));
        Assert.Equal((CounterChange.Set, false, true), (windowOnly.Change, windowOnly.SetsSpend, windowOnly.SetsWindow));
    }

    [Fact]
    public void MergedAdditions_KeepTheNewestStateAndSumTheAmounts()
    {
        var counter = new SpendCounter();
        var a = counter.Add(30);
        var b = counter.Add(12);

        var merged = CounterState.MergeAdded(b, a);

        Assert.Equal((42L, 42L, b.Sequence), (merged.AddedNanos, merged.Nanos, merged.Sequence));
    }
}
